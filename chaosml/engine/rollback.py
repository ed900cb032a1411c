"""The undo stack: write-ahead registration, LIFO rollback, retries, timeouts, idempotence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chaosml.drivers.base import DriverContext, UndoRecord
from chaosml.drivers.registry import Registry
from chaosml.engine import effect
from chaosml.engine.threads import call_blocking
from chaosml.errors import InfrastructureError
from chaosml.reporting.journal_writer import JournalWriter
from chaosml.substitution import SecretRefs


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
    backend_down: bool = True  # every failed undo failed because its backend was unreachable
    secrets: SecretRefs = field(default_factory=SecretRefs)

    def register(
        self, record: UndoRecord, step: int | None, fault: str, name: str, target: Any
    ) -> PendingUndo:
        """Journal the undo before the fault is applied (write-ahead). Its id names the run; a
        secret in it is journaled as ``${secret:name}``, never in clear, never masked."""
        entry = PendingUndo(undo_id(self.ctx.run_id, len(self.entries) + 1), record, step)
        self.entries.append(entry)
        data, secrets = self.secrets.template(record.data)
        undo = {**record.to_json(), "data": data}  # the description is only redacted
        self.journal.emit(
            "fault.undo_registered",
            undo_id=entry.undo_id,
            step=step,
            fault=fault,
            name=name,
            target=target,
            undo=undo,
            **({"secrets": secrets} if secrets else {}),
        )
        return entry

    def pending(self) -> list[PendingUndo]:
        return [e for e in self.entries if not e.reverted]

    async def revert(self, entry: PendingUndo, by: str) -> bool:
        """Run one undo (at most once successfully), retried with backoff, bounded by a timeout."""
        async with entry.lock:
            if entry.reverted:
                return True
            await effect.before_undo(
                entry.undo_id, entry.step, entry.record, self.registry, self.ctx, self.journal
            )
            result = await run_undo(
                entry.record, self.registry, self.ctx, self.timeout, self.attempts
            )
            ok, attempts, error = result.ok, result.attempts, result.error
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
                self.backend_down = self.backend_down and result.backend_unreachable
            return ok

    async def rollback_all(self) -> bool:
        """Every pending undo, last registered first; a failed undo never stops the others."""
        results = [await self.revert(entry, "rollback") for entry in reversed(self.pending())]
        return all(results)


def undo_id(run_id: str, number: int) -> str:
    """``<run id>.u<n>``: unique across the runs a journal may hold."""
    return f"{run_id}.u{number}"


@dataclass(frozen=True)
class UndoResult:
    ok: bool
    attempts: int
    error: str = ""
    backend_unreachable: bool = False


async def run_undo(
    record: UndoRecord, registry: Registry, ctx: DriverContext, timeout: float, attempts: int
) -> UndoResult:
    """Run one undo record, retried with exponential backoff, each attempt bounded."""
    error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            driver = registry.fault(record.kind)
            await call_blocking(partial(driver.undo, record, ctx), timeout, f"undo {record.kind}")
            return UndoResult(True, attempt)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = exc
        if attempt < attempts:
            await asyncio.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
    text = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    return UndoResult(False, attempts, text, isinstance(error, InfrastructureError))
