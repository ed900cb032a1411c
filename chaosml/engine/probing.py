"""Run one probe: read its sample, evaluate its expectation, record the result."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from chaosml.contract.sample import Sample
from chaosml.engine.state import RunState
from chaosml.engine.threads import CallTimeout, call_blocking
from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.journal.events import ProbeResult
from chaosml.model.expectations import evaluate
from chaosml.model.experiment import ProbeSpec


@dataclass
class ProbeOutcome:
    spec: ProbeSpec
    ok: bool
    sample: Sample | None
    reason: str = ""
    error: str = ""
    infrastructure: bool = False  # the tool could not reach a backend (exit 5)
    duration_s: float | None = None


async def read_sample(spec: ProbeSpec, state: RunState) -> Sample:
    driver = state.registry.probe(spec.kind)
    ctx = state.ctx.until(spec.timeout)  # the driver passes what is left to its SDK
    return await call_blocking(
        lambda: driver.sample(spec.params, ctx), spec.timeout, f"probe {spec.name}"
    )


async def run_probe(
    spec: ProbeSpec, state: RunState, step: int | None = None, record: bool = True
) -> ProbeOutcome:
    started = time.perf_counter()
    outcome = await _probe_once(spec, state)
    outcome.duration_s = round(time.perf_counter() - started, 6)
    if record:
        record_outcome(outcome, state, step)
    return outcome


def record_outcome(outcome: ProbeOutcome, state: RunState, step: int | None = None) -> None:
    """The ``probe.result`` event of one probe read."""
    spec = outcome.spec
    emit_probe_result(
        state,
        name=spec.name,
        kind=spec.kind,
        step=step,
        ok=outcome.ok,
        sample=outcome.sample,
        reason=outcome.reason or None,
        weight=spec.weight,
        expect=spec.expect.model_dump(exclude_none=True, by_alias=True) if spec.expect else None,
        error=outcome.error or None,
        tolerated=spec.tolerate_failure and not outcome.ok,
        duration_s=outcome.duration_s,
    )


def emit_probe_result(
    state: RunState,
    *,
    name: str,
    kind: str,
    step: int | None,
    ok: bool,
    sample: Sample | None,
    reason: str | None,
    weight: float,
    expect: dict[str, Any] | None = None,
    error: str | None = None,
    tolerated: bool = False,
    duration_s: float | None = None,
) -> None:
    """Journal one ``probe.result`` event (a probe read, or an alert expectation judged)."""
    state.journal.write(
        ProbeResult(
            phase=state.phase,
            name=name,
            kind=kind,
            step=step,
            ok=ok,
            tolerated=tolerated,
            value=sample.to_json() if sample else None,
            expect=expect,
            reason=reason,
            error=error,
            weight=weight,
            duration_s=duration_s,
        )
    )


async def _probe_once(spec: ProbeSpec, state: RunState) -> ProbeOutcome:
    try:
        sample = await read_sample(spec, state)
    except asyncio.CancelledError:
        raise
    except CallTimeout as exc:
        return ProbeOutcome(spec, False, None, f"timed out: {exc.message}", exc.message)
    except InfrastructureError as exc:
        return ProbeOutcome(
            spec, False, None, exc.message, exc.with_next_step(), infrastructure=True
        )
    except ChaosMLError as exc:
        return ProbeOutcome(spec, False, None, exc.message, exc.message)
    except Exception as exc:  # a driver bug is reported as the probe's error, not a crash
        text = f"{type(exc).__name__}: {exc}"
        return ProbeOutcome(spec, False, None, text, text)
    reason = evaluate(spec.expect, sample, state.baselines.get(spec.name))
    return ProbeOutcome(spec, reason is None, sample, reason or "")


def numeric(sample: Sample | None) -> Any:
    return sample.value if sample is not None else None
