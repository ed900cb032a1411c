"""The method: steps in order — faults, actions, probes, waits, alert expectations."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace

from chaosml.cancellation import CancelToken
from chaosml.drivers.base import ActionDriver, FaultDriver
from chaosml.engine import effect, threads
from chaosml.engine.alerts import expect_alert
from chaosml.engine.probing import run_probe
from chaosml.engine.rollback import PendingUndo, UndoStack
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.errors import InfrastructureError
from chaosml.journal.events import FaultApplied
from chaosml.model import experiment as m


@dataclass
class MethodRunner:
    state: RunState
    stack: UndoStack
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def run(self) -> bool:
        """True when every step held; stops at the first deviation."""
        for index, step in enumerate(self.state.experiment.method):
            if self.state.stopping:  # an abort whose cancellation arrived between two steps
                raise asyncio.CancelledError
            self.state.steps_started = index + 1
            if not await self.step(index, step):
                return False
        return True

    async def step(self, index: int, step: m.Step) -> bool:
        if isinstance(step, m.FaultStep):
            await self.fault(index, step)
        elif isinstance(step, m.ActionStep):
            await run_action(step, f"a{index}", self.state)
        elif isinstance(step, m.WaitStep):
            await self.state.clock.sleep(step.wait)
        elif isinstance(step, m.ProbeStep):
            return await self.probe(index, step.probe)
        elif isinstance(step, m.ExpectNotificationStep):
            # local: the Alertmanager client and routing, for the experiments that expect one
            from chaosml.engine.notifications import expect_notification

            return await expect_notification(step, index, self.state)
        else:
            return await expect_alert(step, index, self.state)
        return True

    async def probe(self, index: int, spec: m.ProbeSpec) -> bool:
        outcome = await run_probe(spec, self.state, step=index)
        if outcome.infrastructure and not spec.tolerate_failure:
            raise InfrastructureError(outcome.error)
        self.state.expectations.append((spec.name, outcome.ok, spec.weight))
        if outcome.ok or spec.tolerate_failure:
            return True
        self.state.deviations.append(f"probe '{spec.name}' failed: {outcome.reason}")
        return False

    async def fault(self, index: int, step: m.FaultStep) -> None:
        state = self.state
        driver = state.registry.fault(step.fault)
        ctx = replace(state.ctx, fault_id=f"m{index}")
        plan_ctx = ctx.until(step.timeout)
        record = await call_blocking(
            lambda: driver.plan(step.params, plan_ctx), step.timeout, f"plan {step.fault}"
        )
        target = getattr(step.params, "target", None)
        entry = (
            self.stack.register(record, index, step.fault, step.label, target) if record else None
        )
        apply_ctx = ctx.until(step.timeout)
        began = time.time()  # the fault may act before apply() returns (an alert's activeAt)
        calls = threads.current()
        call = calls.start(
            lambda: driver.apply(step.params, apply_ctx), step.timeout, f"apply {step.fault}"
        )
        if entry is not None:
            entry.apply_call = call  # its undo waits for this thread (timeout or abort)
        await calls.result(call)
        event = state.journal.write(
            FaultApplied(
                undo_id=entry.undo_id if entry else None,
                step=index,
                fault=step.fault,
                name=step.label,
                target=target,
                description=driver.describe(step.params),
                duration=step.duration,
                background=step.background,
            )
        )
        state.last_fault_wall = event.wall or 0.0
        state.last_fault_began_wall = began
        undo_id = entry.undo_id if entry else None
        await effect.after_apply(driver, step, index, ctx, record, undo_id, state.journal)
        if state.alert_book.first_fault_wall is None:
            state.alert_book.first_fault_wall = began
        if step.duration is not None and entry is not None:
            await self._timed_revert(entry, step.duration, step.background)

    async def _timed_revert(self, entry: PendingUndo, duration: float, background: bool) -> None:
        async def revert_later() -> None:
            await self.state.clock.sleep(duration)
            await self.stack.revert(entry, "duration")

        if background:
            self.background.append(asyncio.create_task(revert_later()))
        else:
            await revert_later()

    def cancel_background(self) -> None:
        for task in self.background:
            task.cancel()


async def run_action(
    step: m.ActionStep, fault_id: str, state: RunState, *, safety_net: bool = False
) -> None:
    """An operation with no undo (a fault driver used as an action registers none either).
    A ``rollbacks:`` step is part of the safety net: like an undo, the run's cancellation (which
    stopped the method) does not stop it, so it gets a token of its own."""
    ctx = replace(state.ctx, fault_id=fault_id).until(step.timeout)
    if safety_net:
        ctx = replace(ctx, cancel=CancelToken())
    driver = (
        state.registry.get("action", step.action)
        if state.registry.has("action", step.action)
        else state.registry.fault(step.action)
    )
    if isinstance(driver, ActionDriver):
        await call_blocking(
            lambda: driver.run(step.params, ctx), step.timeout, f"action {step.action}"
        )
    else:
        assert isinstance(driver, FaultDriver)
        await call_blocking(
            lambda: driver.apply(step.params, ctx), step.timeout, f"action {step.action}"
        )
