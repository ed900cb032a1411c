"""The undo stack: write-ahead registration, LIFO rollback, retries, timeouts, idempotence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from chaosml.cancellation import CancelToken
from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.registry import Registry
from chaosml.engine import effect
from chaosml.engine.threads import Call, call_blocking
from chaosml.errors import InfrastructureError
from chaosml.journal.events import FaultApplyOverran, FaultReverted, FaultUndoRegistered
from chaosml.journal.writer import JournalWriter
from chaosml.substitution import SecretRefs


@dataclass
class PendingUndo:
    undo_id: str
    record: UndoRecord
    step: int | None = None
    reverted: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    apply_call: Call[None] | None = None  # the fault's apply(): its undo never runs before it ends


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
        registered = FaultUndoRegistered(
            undo_id=entry.undo_id, step=step, fault=fault, name=name, target=target, undo=undo
        )
        if secrets:  # only when the undo needs one
            registered = registered.model_copy(update={"secrets": secrets})
        self.journal.write(registered)
        return entry

    def pending(self) -> list[PendingUndo]:
        return [e for e in self.entries if not e.reverted]

    async def revert(self, entry: PendingUndo, by: str) -> bool:
        """Run one undo (at most once successfully), retried with backoff, bounded by a timeout."""
        async with entry.lock:
            if entry.reverted:
                return True
            apply_done = await self._apply_finished(entry)
            await effect.before_undo(
                entry.undo_id, entry.step, entry.record, self.registry, self.ctx, self.journal
            )
            result = await run_undo(
                entry.record, self.registry, self.ctx, self.timeout, self.attempts
            )
            ok, attempts, error = result.ok, result.attempts, result.error
            if ok and not apply_done:
                ok, error = False, _STILL_APPLYING.format(timeout=self.timeout)
            entry.reverted = ok
            self.journal.write(
                FaultReverted(
                    undo_id=entry.undo_id,
                    ok=ok,
                    by=by,
                    attempts=attempts,
                    error=error or None,
                    description=entry.record.description,
                )
            )
            if not ok:
                self.failures.append(f"{entry.undo_id} ({entry.record.description}): {error}")
                down = result.backend_unreachable and apply_done
                self.backend_down = self.backend_down and down
            return ok

    async def _apply_finished(self, entry: PendingUndo) -> bool:
        """Wait (at most the undo timeout) for an apply() the engine stopped waiting for (it
        timed out, or the run was aborted during it); journal how it ended. True: it has
        ended, so the undo cannot be overtaken by it."""
        call = entry.apply_call
        if call is None or not call.abandoned:
            return True
        loop = asyncio.get_running_loop()
        began = loop.time()
        finished = await call.finish(self.timeout)
        landed = "still running" if not finished else "failed" if call.error else "applied"
        self.journal.write(
            FaultApplyOverran(
                undo_id=entry.undo_id,
                what=call.what,
                finished=finished,
                outcome=landed,
                overran_s=round(call.overran_s(), 3),
                waited_s=round(loop.time() - began, 3),
            )
        )
        if finished:
            entry.apply_call = None  # said once; a later undo of it has nothing to wait for
        return finished

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


_STILL_APPLYING = (
    "the fault's apply() was still running after a wait of {timeout:g}s for it: it may land "
    "after this undo; once it has ended, run `chaosml rollback` on the journal"
)


async def run_undo(
    record: UndoRecord, registry: Registry, ctx: DriverContext, timeout: float, attempts: int
) -> UndoResult:
    """Run one undo record, retried with exponential backoff, each attempt bounded. An undo is
    not stopped by the run's cancellation (that stopped the method): it gets a token of its own."""
    # local: tenacity (~10 ms) is for the runs that have something to undo
    from tenacity import (
        AsyncRetrying,
        RetryError,
        retry_if_exception_type,
        stop_after_attempt,
        wait_exponential,
    )

    ctx = replace(ctx, cancel=CancelToken())
    retrying = AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.2, max=2.0),
        retry=retry_if_exception_type(Exception),
    )
    attempt = 0
    try:
        async for attempt_state in retrying:
            attempt = attempt_state.retry_state.attempt_number
            with attempt_state:
                driver = registry.fault(record.kind)
                undo = partial(driver.undo, record, ctx.until(timeout))
                await call_blocking(undo, timeout, f"undo {record.kind}")
    except RetryError as exc:
        error = exc.last_attempt.exception()
        text = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        return UndoResult(False, attempt, text, isinstance(error, InfrastructureError))
    return UndoResult(True, attempt)
