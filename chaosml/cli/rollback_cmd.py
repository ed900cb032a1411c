"""``chaosml rollback JOURNAL``."""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.engine.replay import replay
from chaosml.exit_codes import ExitCode


def rollback(journal: Path, debug: bool) -> int:
    def body() -> int:
        result = replay(journal)
        if result.already_done:
            print(f"{journal}: nothing to roll back (every undo already ran)")
            return int(ExitCode.OK)
        for undo_id in result.reverted:
            print(f"undone {undo_id}")
        for undo_id, error in result.failed:
            print(f"FAILED {undo_id}: {error}", file=sys.stderr)
        return int(ExitCode.ROLLBACK_INCOMPLETE if result.failed else ExitCode.OK)

    return guarded(body, debug)
