"""``chaosml rollback JOURNAL [--force]``."""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.engine.replay import ReplayResult, replay
from chaosml.exit_codes import ExitCode


def rollback(journal: Path, debug: bool, force: bool = False) -> int:
    def body() -> int:
        result = replay(journal, force=force)
        if result.already_done:
            print(f"{journal}: nothing to roll back (every undo already ran)")
            return int(ExitCode.OK)
        _print(journal, result)
        return int(ExitCode.ROLLBACK_INCOMPLETE if result.failed else ExitCode.OK)

    return guarded(body, debug)


def _print(journal: Path, result: ReplayResult) -> None:
    if result.torn_bytes:
        print(f"{journal}: dropped a torn last line ({result.torn_bytes} bytes, a killed writer)")
    for command, gone in result.killed:
        print(f"killed a command the run left running: {command}" + ("" if gone else " (NOT gone)"))
    for undo_id in result.reverted:
        print(f"undone {undo_id}")
    for undo_id, error in result.failed:
        print(f"FAILED {undo_id}: {error}", file=sys.stderr)
