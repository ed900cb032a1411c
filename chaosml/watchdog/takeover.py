"""The run's runner is gone without ``run.end``: roll the run back exactly as
``chaosml rollback JOURNAL`` would — the same lock, the same per-run rules, the same undo
records — journal each undo ``by: watchdog`` (or ``by: reap``) and close the run with a
``run.end`` that says who ended it and how long after the runner died.

The lock is waited for (a person's ``chaosml rollback`` may hold it): whoever gets it second
finds the undos already done and undoes nothing twice.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from chaosml.drivers.registry import default_registry
from chaosml.engine.leftovers import KILL_WAIT_SECONDS
from chaosml.engine.replay import (
    ReplayResult,
    RunLeft,
    refuse_missing_secrets,
    replay_run,
    runs_left,
)
from chaosml.engine.rollback_lock import rollback_lock
from chaosml.errors import ChaosMLError, InputError
from chaosml.exit_codes import ExitCode
from chaosml.journal.events import RunEnded
from chaosml.journal.reader import load_events
from chaosml.journal.writer import JournalWriter
from chaosml.watchdog import runs
from chaosml.watchdog.watch import Watch

LOCK_SLACK_S = 10.0


def take_over(watch: Watch, gone_wall: float) -> int:
    """Roll back the dead runner's run; the exit code ``chaosml rollback`` would give."""
    try:
        result = roll_back_run(
            watch.journal,
            watch.run_id,
            gone_wall,
            by="watchdog",
            undo_timeout=watch.undo_timeout,
            undo_attempts=watch.undo_attempts,
        )
    except ChaosMLError as exc:
        print(f"chaosml watchdog: {exc.with_next_step()}", file=sys.stderr)
        return int(ExitCode.INVALID if isinstance(exc, InputError) else ExitCode.TOOL_ERROR)
    if result is not None and not result.failed:
        runs.forget(watch.run_id)
    return int(ExitCode.ROLLBACK_INCOMPLETE if result and result.failed else ExitCode.OK)


def lock_wait(undo_timeout: float, undo_attempts: int) -> float:
    """Long enough for another rollback of the same journal to finish its undos."""
    return undo_timeout * undo_attempts + KILL_WAIT_SECONDS + LOCK_SLACK_S


def roll_back_run(
    journal: Path,
    run_id: str,
    gone_wall: float,
    *,
    by: str,
    undo_timeout: float = 30.0,
    undo_attempts: int = 3,
) -> ReplayResult | None:
    """Under the journal's rollback lock: None when the run already ended with nothing pending
    (someone else closed it), else what was undone. A run without ``run.end`` is closed with one
    (``ended_by: <by>``); an ended run's pending undos (a failed one) are only retried."""
    with rollback_lock(journal, wait=lock_wait(undo_timeout, undo_attempts)):
        run = find_run(journal, run_id)
        if run is None or (run.ended and not run.pending):
            return None
        result = ReplayResult([], [], False)
        blocked = _missing_secret(journal, run)
        todo = replace(run, pending=[]) if blocked else run
        end = None if run.ended else partial(_close_run, run, result, gone_wall, by, blocked)
        asyncio.run(
            replay_run(
                journal,
                todo,
                default_registry(),
                os.environ,
                undo_timeout,
                undo_attempts,
                result,
                by=by,
                epilogue=end,
            )
        )
        if blocked:
            result.failed.extend((p.undo_id, blocked) for p in run.pending)
        return result


def find_run(journal: Path, run_id: str) -> RunLeft | None:
    return next((r for r in runs_left(load_events(journal)) if r.run_id == run_id), None)


def _missing_secret(journal: Path, run: RunLeft) -> str:
    try:
        refuse_missing_secrets(journal, [run], os.environ)
    except InputError as exc:
        return exc.message
    return ""


def _close_run(
    run: RunLeft,
    result: ReplayResult,
    gone_wall: float,
    by: str,
    blocked: str,
    writer: JournalWriter,
) -> None:
    failed = {undo_id for undo_id, _ in result.failed}
    left = [p for p in run.pending if blocked or p.undo_id in failed]
    after = round(time.time() - gone_wall, 3)
    incomplete = bool(left)
    writer.write(
        RunEnded(
            status="rollback-incomplete" if incomplete else "interrupted",
            exit_code=int(ExitCode.ROLLBACK_INCOMPLETE if incomplete else ExitCode.INTERRUPTED),
            reason=_reason(run, result, after, by, blocked),
            ended_by=by,
            pending_undos=[{"undo_id": p.undo_id, "undo": p.record.to_json()} for p in left],
            duration_s=round(time.time() - (run.start.wall or time.time()), 3),
            summary={},
            runner_gone_at=round(gone_wall, 3),
            undone_after_s=after,
            undone=list(result.reverted),
            closed_by_pid=os.getpid(),
        )
    )


def _reason(run: RunLeft, result: ReplayResult, after: float, by: str, blocked: str) -> str:
    who = "the watchdog" if by == "watchdog" else f"chaosml {by}"
    pid = run.start.pid
    head = f"the runner (pid {pid}) died without ending the run"
    if blocked:
        return f"{head}; {who} could not undo its faults: {blocked}"
    done = f"{who} undid {_count(len(result.reverted))} {after:g} s after it was seen gone"
    killed = f", killed {len(result.killed)} command(s) it left running" if result.killed else ""
    failed = _failures(result.failed)
    return f"{head}; {done}{killed}{failed}"


def _count(n: int) -> str:
    return "1 fault" if n == 1 else f"{n} faults"


def _failures(failed: list[tuple[str, str]]) -> str:
    if not failed:
        return ""
    listed = "; ".join(f"{undo_id}: {error}" for undo_id, error in failed)
    return f"; FAILED {listed} (run chaosml rollback JOURNAL once the backend is back)"
