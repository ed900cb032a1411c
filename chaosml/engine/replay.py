"""``chaosml rollback JOURNAL``: run exactly the undos a killed run left pending.

Under the journal's rollback lock, per run the journal holds (a journal may hold several with
``--append-journal``; their undo ids name the run): refuse while the run's process is alive,
refuse when a secret an undo needs is not in the environment, kill the commands the run left
running, then run its pending undos, last registered first, appending ``fault.reverted``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml import redaction
from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.registry import Registry, default_registry
from chaosml.engine.leftovers import CommandGroup, kill_leftovers, started_groups, still_running
from chaosml.engine.rollback import run_undo
from chaosml.engine.rollback_lock import rollback_lock
from chaosml.errors import InputError
from chaosml.io import procfs, subprocesses
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import (
    CommandKilled,
    FaultReverted,
    FaultUndoRegistered,
    JournalTorn,
    RunEnded,
    RunStarted,
)
from chaosml.journal.reader import load_events
from chaosml.journal.runs import split_runs
from chaosml.journal.writer import JournalWriter
from chaosml.redaction import Redactor
from chaosml.substitution import expand_secrets, missing_secrets, secret_variable


@dataclass(frozen=True)
class Pending:
    undo_id: str
    record: UndoRecord  # as journaled: secrets as ${secret:name}
    secrets: dict[str, str | None] = field(default_factory=dict)  # name -> source


@dataclass
class RunLeft:
    """What one run of the journal left behind."""

    start: RunStarted
    pending: list[Pending]
    groups: list[CommandGroup]
    ended: bool
    last_seq: int

    @property
    def run_id(self) -> str:
        return self.start.run_id or ""


@dataclass
class ReplayResult:
    reverted: list[str]
    failed: list[tuple[str, str]]
    already_done: bool
    killed: list[tuple[str, bool]] = field(default_factory=list)  # command, gone
    torn_bytes: int = 0


def pending_undos(events: list[JournalEvent]) -> list[Pending]:
    """Registered undos (of one run) without a successful ``fault.reverted``, last first."""
    done = {e.undo_id for e in events if isinstance(e, FaultReverted) and e.ok}
    registered = [e for e in events if isinstance(e, FaultUndoRegistered)]
    return [
        Pending(e.undo_id, UndoRecord.from_json(e.undo.model_dump()), dict(e.secrets or {}))
        for e in reversed(registered)
        if e.undo_id not in done
    ]


def runs_left(events: list[JournalEvent]) -> list[RunLeft]:
    """Every run in the journal, the last started first."""
    out = []
    for run in reversed(split_runs(events)):
        ended = any(isinstance(e, RunEnded) for e in run.events)
        groups = [] if ended else [g for g in started_groups(run.events) if still_running(g)]
        seqs = [e.seq for e in run.events if e.seq is not None]
        seq = max(seqs, default=len(run.events))
        out.append(RunLeft(run.start, pending_undos(run.events), groups, ended, seq))
    return out


def replay(
    path: Path,
    registry: Registry | None = None,
    timeout: float = 30.0,
    attempts: int = 3,
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    wait: float = 0.0,
    notice: Callable[[str], None] | None = None,
) -> ReplayResult:
    """``wait``: how long to wait for another rollback of the same journal (the watchdog right
    after a SIGKILL) before refusing."""
    env = os.environ if environ is None else environ
    if not path.exists():
        raise InputError(f"no journal at {path}")
    with rollback_lock(path, wait, notice):
        todo = [r for r in runs_left(load_events(path)) if r.pending or r.groups]
        if not todo:
            return ReplayResult([], [], True)
        for run in todo:
            _refuse_if_alive(path, run, force)
        refuse_missing_secrets(path, todo, env)
        registry = registry or default_registry()
        return asyncio.run(_replay(path, todo, registry, env, timeout, attempts))


def _refuse_if_alive(path: Path, run: RunLeft, force: bool) -> None:
    if force or run.ended:
        return
    start = run.start
    host = start.host
    if host is not None and host != socket.gethostname():
        raise InputError(
            f"{path}: run {run.run_id} ran on host {host}: chaosml cannot tell from here whether "
            "it is still running",
            hint="run chaosml rollback on that host, or add --force if you know it has ended",
        )
    pid = start.pid
    if pid is not None and _alive(pid, start.pid_start):
        raise InputError(
            f"{path}: run {run.run_id} is still running (pid {pid}); "
            "rolling back under it would undo its faults while it runs",
            hint=f"stop it (kill -TERM {pid} rolls it back), or add --force",
        )


def _alive(pid: int, pid_start: str | None) -> bool:
    if pid == os.getpid() or not procfs.alive(pid):
        return False
    return pid_start is None or procfs.start_time(pid) == pid_start


def refuse_missing_secrets(path: Path, todo: list[RunLeft], env: Mapping[str, str]) -> None:
    for run in todo:
        for item in run.pending:
            for missing in missing_secrets(item.secrets, env):
                raise InputError(
                    f"{path}: undo {item.undo_id} needs the secret '{missing.name}' from the "
                    f"environment variable {missing.variable}, which is not set; "
                    "nothing was undone",
                    hint=f"export {missing.variable}=… and run chaosml rollback again",
                )


async def _replay(
    path: Path,
    todo: list[RunLeft],
    registry: Registry,
    env: Mapping[str, str],
    timeout: float,
    attempts: int,
) -> ReplayResult:
    result = ReplayResult([], [], False)
    for run in todo:
        await replay_run(path, run, registry, env, timeout, attempts, result)
    return result


async def replay_run(
    path: Path,
    run: RunLeft,
    registry: Registry,
    env: Mapping[str, str],
    timeout: float,
    attempts: int,
    result: ReplayResult,
    by: str = "rollback-command",
    epilogue: Callable[[JournalWriter], None] | None = None,
) -> None:
    """``by`` names who undoes (``rollback-command``, ``watchdog``, ``reap``); ``epilogue``
    writes its last events (a ``run.end``) under the same lock, before the writer closes."""
    writer = _writer(path, run, env)
    try:
        if writer.torn is not None:
            result.torn_bytes = writer.torn.size
            writer.write(JournalTorn(offset=writer.torn.offset, bytes=writer.torn.size))
        _kill_leftovers(run, writer, result)
        ctx = DriverContext(run_id=run.run_id, seed=run.start.seed or 0)
        with subprocesses.journaled(writer.command_started):
            for item in run.pending:
                await _undo_one(item, registry, ctx, env, timeout, attempts, writer, result, by)
        if epilogue is not None:
            epilogue(writer)
    finally:
        writer.close()


def _writer(path: Path, run: RunLeft, env: Mapping[str, str]) -> JournalWriter:
    from chaosml.reporting.annotations import annotation_observers

    secrets = [v for p in run.pending for v in _secret_values(p, env)]
    redaction.remember(secrets)  # the console and errors of this rollback mask them too
    return JournalWriter(
        path,
        run.run_id,
        Redactor(secrets),
        observers=annotation_observers(),  # a fault's Pushgateway series goes with its undo
        start_mono=time.monotonic() - (time.time() - (run.start.wall or time.time())),
        first_seq=run.last_seq + 1,
        append=True,
    )


def _secret_values(item: Pending, env: Mapping[str, str]) -> list[str]:
    return [env.get(secret_variable(n, s), "") for n, s in item.secrets.items()]


def _kill_leftovers(run: RunLeft, writer: JournalWriter, result: ReplayResult) -> None:
    for group, gone in kill_leftovers(run.groups):
        writer.write(CommandKilled(pgid=group.pgid, command=group.command, gone=gone))
        result.killed.append((group.command, gone))


async def _undo_one(
    item: Pending,
    registry: Registry,
    ctx: DriverContext,
    env: Mapping[str, str],
    timeout: float,
    attempts: int,
    writer: JournalWriter,
    result: ReplayResult,
    by: str = "rollback-command",
) -> None:
    record = item.record
    if item.secrets:  # only a templated record has ${secret:…} (and $$ for $)
        data = expand_secrets(record.data, item.secrets, env)
        record = UndoRecord(record.kind, data, record.description)
    done = await run_undo(record, registry, ctx, timeout, attempts)
    writer.write(
        FaultReverted(
            undo_id=item.undo_id,
            ok=done.ok,
            by=by,
            attempts=done.attempts,
            error=done.error or None,
            description=item.record.description,
        )
    )
    if done.ok:
        result.reverted.append(item.undo_id)
    else:
        result.failed.append((item.undo_id, writer.redact.text(done.error)))


def describe(pending: list[Pending]) -> list[dict[str, Any]]:
    return [{"undo_id": p.undo_id, "description": p.record.description} for p in pending]
