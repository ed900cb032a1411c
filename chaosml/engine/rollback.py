"""The undo stack: write-ahead registration, LIFO rollback, retries, timeouts, idempotence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chaosml.drivers.base import DriverContext, UndoRecord
from chaosml.drivers.registry import Registry
from chaosml.engine.threads import call_blocking
from chaosml.reporting.journal_writer import JournalWriter


@dataclass
class PendingUndo:
    undo_id: str
    record: UndoRecord
    step: int | None = None
    reverted: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class UndoStack:
    journal: JournalWriter
    registry: Registry
    ctx: DriverContext
    timeout: float = 30.0
    attempts: int = 3
    entries: list[PendingUndo] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def register(
        self, record: UndoRecord, step: int | None, fault: str, name: str, target: Any
    ) -> PendingUndo:
        """Journal the undo before the fault is applied (write-ahead)."""
        entry = PendingUndo(f"u{len(self.entries) + 1}", record, step)
        self.entries.append(entry)
        self.journal.emit(
            "fault.undo_registered",
            undo_id=entry.undo_id,
            step=step,
            fault=fault,
            name=name,
            target=target,
            undo=record.to_json(),
        )
        return entry

    def pending(self) -> list[PendingUndo]:
        return [e for e in self.entries if not e.reverted]

    async def revert(self, entry: PendingUndo, by: str) -> bool:
        """Run one undo (at most once successfully), retried with backoff, bounded by a timeout."""
        async with entry.lock:
            if entry.reverted:
                return True
            ok, attempts, error = await run_undo(
                entry.record, self.registry, self.ctx, self.timeout, self.attempts
            )
            entry.reverted = ok
            self.journal.emit(
                "fault.reverted",
                undo_id=entry.undo_id,
                ok=ok,
                by=by,
                attempts=attempts,
                error=error or None,
                description=entry.record.description,
            )
            if not ok:
                self.failures.append(f"{entry.undo_id} ({entry.record.description}): {error}")
            return ok

    async def rollback_all(self) -> bool:
        """Every pending undo, last registered first; a failed undo never stops the others."""
        results = [await self.revert(entry, "rollback") for entry in reversed(self.pending())]
        return all(results)


async def run_undo(
    record: UndoRecord, registry: Registry, ctx: DriverContext, timeout: float, attempts: int
) -> tuple[bool, int, str]:
    """(ok, attempts made, last error) for one undo record."""
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            driver = registry.fault(record.kind)
            await call_blocking(partial(driver.undo, record, ctx), timeout, f"undo {record.kind}")
            return True, attempt, ""
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        if attempt < attempts:
            await asyncio.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
    return False, attempts, error
