"""Things that watch a run while it goes: guards, the halt switch, the deadline, observe."""

from __future__ import annotations

import math
from collections.abc import Callable

from chaosml.engine.probing import read_sample, run_probe
from chaosml.engine.state import RunState
from chaosml.errors import ChaosMLError
from chaosml.halt.board import HaltBoard, Unreachable
from chaosml.journal.events import GuardBreached, HaltActive, HaltUnreachable, ObserveSample
from chaosml.model import experiment as m

Abort = Callable[[str, str], None]  # (ended_by, reason)
HALT_POLL_SECONDS = 0.2


async def watch_guard(spec: m.ProbeSpec, state: RunState, abort: Abort) -> None:
    """Sample one guard every ``every``; a breach (or a probe error: fail closed) aborts."""
    interval = spec.every or 1.0
    while True:
        outcome = await run_probe(spec, state, record=False)
        if not outcome.ok:
            value = outcome.sample.value if outcome.sample else None
            state.journal.write(
                GuardBreached(
                    name=spec.name,
                    value=value,
                    expect=spec.expect.model_dump(exclude_none=True, by_alias=True)
                    if spec.expect
                    else None,
                    reason=outcome.reason,
                    error=outcome.error or None,
                    phase=state.phase,
                )
            )
            abort(f"guard:{spec.name}", f"guard '{spec.name}' breached: {outcome.reason}")
            return
        await state.clock.sleep(interval)


async def watch_halt(board: HaltBoard, state: RunState, abort: Abort) -> None:
    """Every halt source and global stop condition (docs/safety.md): the first one in force
    aborts the run; an unreachable one aborts too unless the policy is ``warn``."""
    warned: set[int] = set()
    while True:
        reading = board.reading()
        for lost in reading.unreachable:
            if id(lost.source) not in warned:
                warned.add(id(lost.source))
                state.journal.write(HaltUnreachable(policy=board.policy, **lost.fields()))
        if reading.active:
            found = reading.active[0]
            state.journal.write(HaltActive(by=found.source.by, **found.fields()))
            abort(found.source.by, found.message())
            return
        if reading.unreachable and board.policy == "abort":
            abort("halt", unreachable_reason(reading.unreachable[0]))
            return
        await state.clock.sleep(HALT_POLL_SECONDS)


def unreachable_reason(lost: Unreachable) -> str:
    return (
        f"the halt source {lost.source.where} ({lost.source.scope}) is unreachable: {lost.error}"
        "; failing closed (--halt-source-unreachable=warn runs on without it)"
    )


async def watch_deadline(seconds: float, what: str, state: RunState, abort: Abort) -> None:
    await state.clock.sleep(seconds)
    abort("deadline", f"{what} reached")


async def observe(spec: m.Observe, state: RunState) -> None:
    """Sample every observed metric on a fixed schedule into the journal's timeline."""
    next_at = state.clock.monotonic()
    while True:
        for metric in spec.metrics:
            await _observe_one(metric, state)
        next_at += spec.every
        await state.clock.sleep(max(0.0, next_at - state.clock.monotonic()))


async def _observe_one(metric: m.ProbeSpec, state: RunState) -> None:
    phase = state.phase
    try:
        sample = await read_sample(metric, state)
    except ChaosMLError as exc:
        state.journal.write(
            ObserveSample(name=metric.name, phase=phase, value=None, error=exc.message)
        )
        return
    value = _number(sample.value)
    if phase == "steady-state-before" and value is not None:
        state.baselines.setdefault(metric.name, value)
    state.journal.write(ObserveSample(name=metric.name, phase=phase, value=value))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number
