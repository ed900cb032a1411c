"""Alert expectations: did the alert fire within its time, and did it resolve after the undo."""

from __future__ import annotations

import time
from typing import Any

from chaosml.drivers.base import Params, Sample
from chaosml.engine.probing import emit_probe_result, read_sample
from chaosml.engine.state import RunState
from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.model import experiment as m

POLL_SECONDS = 0.25


def alert_probe(
    name: str, labels: dict[str, str], source: m.AlertSource, state: RunState
) -> m.ProbeSpec:
    driver = state.registry.probe("alert")
    params: Params = driver.params_model.model_validate(
        {"name": name, "labels": labels, "source": source.model_dump(exclude_none=True)}
    )
    return m.ProbeSpec(name=f"alert {name}", kind="alert", params=params, timeout=10.0)


async def _poll(
    spec: m.ProbeSpec, state: RunState, wanted: set[str], within: float
) -> tuple[Sample | None, str, float]:
    """Poll until the alert's state is in ``wanted``: (sample or None, last state, waited)."""
    started = state.clock.monotonic()
    last = "unknown"
    while True:
        try:
            sample = await read_sample(spec, state)
            last = str(sample.value)
            if last in wanted:
                return sample, last, state.clock.monotonic() - started
        except InfrastructureError:
            raise
        except ChaosMLError as exc:
            last = f"error: {exc.message}"
        waited = state.clock.monotonic() - started
        if waited >= within:
            return None, last, waited
        await state.clock.sleep(min(POLL_SECONDS, within - waited))


async def expect_alert(step: m.ExpectAlertStep, index: int, state: RunState) -> bool:
    alert = step.expect_alert
    spec = alert_probe(alert.name, alert.labels, alert.source, state)
    wanted = {"firing"} if alert.state == "firing" else {"pending", "firing"}
    sample, last, waited = await _poll(spec, state, wanted, alert.fires_within)
    ok = sample is not None
    reason = (
        None
        if ok
        else (
            f"alert {alert.name} did not fire within {alert.fires_within:g}s "
            f"(waited {waited:.1f}s; last state: {last})"
        )
    )
    if sample is not None:
        _record_fired(alert, sample, waited, state)
    _record_expectation(state, "expect_alert", alert.name, index, ok, reason, alert.weight, sample)
    return ok


def _record_fired(alert: m.ExpectAlert, sample: Sample, waited: float, state: RunState) -> None:
    active_at = sample.details.get("active_at")
    applied = state.last_fault_wall
    ttd = round(active_at - applied, 3) if isinstance(active_at, int | float) and applied else None
    state.alerts[alert.name] = {
        "name": alert.name,
        "fired": True,
        "time_to_detect_s": ttd,
        "active_at": active_at,
        "resolved": None,
        "time_to_resolve_s": None,
    }
    state.journal.emit(
        "alert.fired",
        name=alert.name,
        labels=sample.details.get("labels", alert.labels),
        state=sample.value,
        source=sample.details.get("source"),
        active_at=active_at,
        fault_applied_at=applied,
        time_to_detect_s=ttd,
        waited_s=round(waited, 3),
    )


def _record_expectation(
    state: RunState,
    kind: str,
    name: str,
    step: int | None,
    ok: bool,
    reason: str | None,
    weight: float,
    sample: Sample | None,
) -> None:
    state.expectations.append((name, ok, weight))
    if not ok and reason:
        state.deviations.append(reason)
    if not ok and kind == "expect_alert":
        state.alerts.setdefault(
            name,
            {
                "name": name,
                "fired": False,
                "time_to_detect_s": None,
                "resolved": None,
                "time_to_resolve_s": None,
            },
        )
    emit_probe_result(
        state,
        name=name,
        kind=kind,
        step=step,
        ok=ok,
        sample=sample,
        reason=reason,
        weight=weight,
    )


async def alerts_resolve(recovery: m.Recovery, state: RunState, deadline: float) -> bool:
    """Every listed alert must be inactive before ``deadline`` (monotonic)."""
    results = []
    for alert in recovery.alerts_resolve:
        assert alert.source is not None
        spec = alert_probe(alert.name, alert.labels, alert.source, state)
        within = max(0.0, deadline - state.clock.monotonic())
        sample, last, waited = await _poll(spec, state, {"inactive"}, within)
        results.append(
            _record_resolved(alert.name, sample is not None, last, waited, recovery, state)
        )
    return all(results)


def _record_resolved(
    name: str, ok: bool, last: str, waited: float, recovery: m.Recovery, state: RunState
) -> bool:
    now = time.time()
    ttr = round(now - state.rollback_end_wall, 3) if ok and state.rollback_end_wall else None
    entry: dict[str, Any] = state.alerts.setdefault(
        name, {"name": name, "fired": None, "time_to_detect_s": None}
    )
    entry.update({"resolved": ok, "time_to_resolve_s": ttr})
    if ok:
        state.journal.emit(
            "alert.resolved",
            name=name,
            resolved_at=now,
            time_to_resolve_s=ttr,
            waited_s=round(waited, 3),
        )
    reason = None if ok else f"alert {name} still {last} {recovery.within:g}s after the rollback"
    _record_expectation(state, "alerts_resolve", name, None, ok, reason, 1.0, None)
    return ok
