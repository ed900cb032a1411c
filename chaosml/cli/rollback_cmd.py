"""``chaosml rollback JOURNAL [--force] [--wait SECONDS]``.

Right after a SIGKILL the run's watchdog is rolling the journal back and holds its lock; a
person's ``chaosml rollback`` waits for it (30 s by default, ``--wait``) instead of refusing,
then finds what is left (usually nothing)."""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.engine.replay import ReplayResult, replay
from chaosml.exit_codes import ExitCode


def rollback(journal: Path, debug: bool, force: bool = False, wait: float = 30.0) -> int:
    def body() -> int:
        result = replay(journal, force=force, wait=wait, notice=_say)
        if result.already_done:
            print(f"{journal}: nothing to roll back (every undo already ran)")
            return int(ExitCode.OK)
        _print(journal, result)
        return int(ExitCode.ROLLBACK_INCOMPLETE if result.failed else ExitCode.OK)

    return guarded(body, debug)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _print(journal: Path, result: ReplayResult) -> None:
    if result.torn_bytes:
        print(f"{journal}: dropped a torn last line ({result.torn_bytes} bytes, a killed writer)")
    for command, gone in result.killed:
        print(f"killed a command the run left running: {command}" + ("" if gone else " (NOT gone)"))
    for undo_id in result.reverted:
        print(f"undone {undo_id}")
    for undo_id, error in result.failed:
        print(f"FAILED {undo_id}: {error}", file=sys.stderr)
