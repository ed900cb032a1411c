"""``chaosml rollback JOURNAL``: run exactly the undos a killed run left pending."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaosml.drivers.base import DriverContext, UndoRecord
from chaosml.drivers.registry import Registry, default_registry
from chaosml.engine.rollback import run_undo
from chaosml.errors import InputError
from chaosml.redaction import Redactor
from chaosml.reporting.journal_writer import Event, JournalWriter, read_events


@dataclass(frozen=True)
class Pending:
    undo_id: str
    record: UndoRecord


@dataclass
class ReplayResult:
    reverted: list[str]
    failed: list[tuple[str, str]]
    already_done: bool


def pending_undos(events: list[Event]) -> list[Pending]:
    """Registered undos without a successful ``fault.reverted``, last registered first."""
    done = {e["undo_id"] for e in events if e.get("event") == "fault.reverted" and e.get("ok")}
    registered = [e for e in events if e.get("event") == "fault.undo_registered"]
    return [
        Pending(e["undo_id"], UndoRecord.from_json(e["undo"]))
        for e in reversed(registered)
        if e["undo_id"] not in done
    ]


def replay(
    path: Path, registry: Registry | None = None, timeout: float = 30.0, attempts: int = 3
) -> ReplayResult:
    events = _read(path)
    pending = pending_undos(events)
    if not pending:
        return ReplayResult([], [], True)
    return asyncio.run(
        _replay(path, events, pending, registry or default_registry(), timeout, attempts)
    )


def _read(path: Path) -> list[Event]:
    if not path.exists():
        raise InputError(f"no journal at {path}")
    events = read_events(path)
    if not events or events[0].get("event") != "run.start":
        raise InputError(f"{path} is not a chaosml journal (no run.start event)")
    return events


async def _replay(
    path: Path,
    events: list[Event],
    pending: list[Pending],
    registry: Registry,
    timeout: float,
    attempts: int,
) -> ReplayResult:
    start = events[0]
    run_id = str(start["run_id"])
    from chaosml.reporting.annotations import annotation_observers

    writer = JournalWriter(
        path,
        run_id,
        Redactor(),
        observers=annotation_observers(),  # a fault's Pushgateway series goes with its undo
        start_mono=time.monotonic() - (time.time() - float(start["wall"])),
        first_seq=int(events[-1].get("seq", len(events))) + 1,
    )
    ctx = DriverContext(run_id=run_id, seed=int(start.get("seed") or 0))
    result = ReplayResult([], [], False)
    try:
        for item in pending:
            done = await run_undo(item.record, registry, ctx, timeout, attempts)
            ok, tries, error = done.ok, done.attempts, done.error
            writer.emit(
                "fault.reverted",
                undo_id=item.undo_id,
                ok=ok,
                by="rollback-command",
                attempts=tries,
                error=error or None,
                description=item.record.description,
            )
            (
                result.reverted.append(item.undo_id)
                if ok
                else result.failed.append((item.undo_id, error))
            )
    finally:
        writer.close()
    return result


def describe(pending: list[Pending]) -> list[dict[str, Any]]:
    return [{"undo_id": p.undo_id, "description": p.record.description} for p in pending]
