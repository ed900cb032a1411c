"""Alert expectations: did this run's fault make the alert fire, and did it resolve after?

An instance counts only when it became active after the fault, on chaosml's clock, and (with
``match_target``) on the faulted target (``attribution``). The journal says which instance
counted and why the others did not (docs/alerts.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.engine import target_binding
from chaosml.engine.alert_book import SourceKey
from chaosml.engine.alert_clocks import source_key
from chaosml.engine.attribution import Attribution, Instance, Timeline, attribute, time_to_detect
from chaosml.engine.probing import emit_probe_result, read_sample
from chaosml.engine.state import RunState
from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.journal.events import AlertFired, AlertResolved
from chaosml.labels import labels_text
from chaosml.model import experiment as m

POLL_SECONDS = 0.25
Done = Callable[[Sample], bool]


def alert_probe(
    name: str, labels: dict[str, str], source: m.AlertSource, state: RunState
) -> m.ProbeSpec:
    driver = state.registry.probe("alert")
    params: Params = driver.params_model.model_validate(
        {"name": name, "labels": labels, "source": source.model_dump(exclude_none=True)}
    )
    return m.ProbeSpec(name=f"alert {name}", kind="alert", params=params, timeout=10.0)


def instances(sample: Sample, key: SourceKey, state: RunState) -> list[Instance]:
    """Every matching instance of a sample, its start mapped into chaosml's clock."""
    book = state.alert_book
    raw: list[dict[str, Any]] = sample.details.get("alerts") or _most_advanced_only(sample)
    return [
        Instance(
            dict(a["labels"]),
            str(a["state"]),
            book.to_local(key, a.get("active_at")),
            a.get("active_at"),
            book.to_local(key, a.get("fired_at")),
        )
        for a in raw
    ]


def _most_advanced_only(sample: Sample) -> list[dict[str, Any]]:
    """A probe that reports one alert (a fake) rather than the list of matching instances."""
    if sample.value == "inactive":
        return []
    details = sample.details
    return [{"labels": details.get("labels", {}), "state": sample.value, **details}]


async def poll(
    spec: m.ProbeSpec, state: RunState, done: Done, within: float
) -> tuple[Sample | None, Sample | None, str, float]:
    """Poll until ``done(sample)``: (that sample or None, last sample, last state, waited)."""
    started = state.clock.monotonic()
    last, last_sample = "unknown", None
    while True:
        try:
            last_sample = await read_sample(spec, state)
            last = str(last_sample.value)
            if done(last_sample):
                return last_sample, last_sample, last, state.clock.monotonic() - started
        except InfrastructureError:
            raise
        except ChaosMLError as exc:
            last = f"error: {exc.message}"
        waited = state.clock.monotonic() - started
        if waited >= within:
            return None, last_sample, last, waited
        await state.clock.sleep(min(POLL_SECONDS, within - waited))


async def expect_alert(step: m.ExpectAlertStep, index: int, state: RunState) -> bool:
    alert = step.expect_alert
    spec = alert_probe(alert.name, alert.labels, alert.source, state)
    wanted = {"firing"} if alert.state == "firing" else {"pending", "firing"}
    key = source_key(alert.source)
    binding = target_binding.binding_for(state.experiment.method, index, state.ctx.targets)
    timeline = Timeline(
        state.last_fault_wall, state.alert_book.steady_wall, state.last_fault_began_wall
    )

    def judge(sample: Sample) -> Attribution:
        found = instances(sample, key, state)
        return attribute(found, wanted, timeline, binding, alert.allow_already_firing)

    sample, last_sample, last, waited = await poll(
        spec, state, lambda s: judge(s).counted is not None, alert.fires_within
    )
    seen = sample or last_sample
    verdict = judge(seen) if seen is not None else Attribution()
    if sample is not None:
        _record_fired(alert, verdict, key, waited, state)
        reason = None
    else:
        reason = _not_fired(alert, waited, last, verdict)
    _record_expectation(
        state, "expect_alert", alert.name, index, reason is None, reason, alert.weight, sample
    )
    return reason is None


def _not_fired(alert: m.ExpectAlert, waited: float, last: str, verdict: Attribution) -> str:
    text = (
        f"alert {alert.name} did not fire within {alert.fires_within:g}s "
        f"(waited {waited:.1f}s; last state: {last})"
    )
    if verdict.rejected:
        text += "; not counted: " + "; ".join(
            f"{labels_text(i.labels)} {why}" for i, why in verdict.rejected
        )
    return text


def _record_fired(
    alert: m.ExpectAlert, verdict: Attribution, key: SourceKey, waited: float, state: RunState
) -> None:
    counted = verdict.counted
    assert counted is not None
    applied = state.last_fault_wall
    ttd = time_to_detect(counted, verdict.proven, applied, alert.state)
    uncertainty = state.alert_book.uncertainty(key)
    entry = {
        "name": alert.name,
        "fired": True,
        "proven": verdict.proven,
        "time_to_detect_s": ttd,
        "time_to_detect_uncertainty_s": _rounded(uncertainty),
        "active_at": counted.active_at,
        "resolved": None,
        "time_to_resolve_s": None,
    }
    state.alerts[alert.name] = entry
    state.journal.write(
        AlertFired(
            name=alert.name,
            labels=counted.labels,
            state=counted.state,
            source=key[0],
            active_at=counted.active_at,
            source_active_at=counted.source_active_at,
            fired_at=counted.fired_at,
            fault_applied_at=applied,
            time_to_detect_s=ttd,
            time_to_detect_uncertainty_s=_rounded(uncertainty),
            clock_offset_s=_offset(state, key),
            proven=verdict.proven,
            not_proven_why=None if verdict.proven else _unproven_why(counted, applied),
            not_counted=verdict.rejected_json(),
            waited_s=round(waited, 3),
        )
    )


def _unproven_why(counted: Instance, applied: float | None) -> str:
    since = f"{applied - counted.active_at:.2f}s " if applied and counted.active_at else ""
    return (
        f"detection not proven: the alert was already active {since}before the fault "
        "(allow_already_firing: true)"
    )


def _offset(state: RunState, key: SourceKey) -> float | None:
    offset = state.alert_book.offsets.get(key)
    return round(offset.offset_s, 6) if offset is not None else None


def _rounded(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


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
    """Every instance this run caused of each listed alert must be inactive before ``deadline``
    (monotonic). Instances active before the run's first fault are named, not waited on."""
    results = []
    for alert in recovery.alerts_resolve:
        assert alert.source is not None
        spec = alert_probe(alert.name, alert.labels, alert.source, state)
        key = source_key(alert.source)
        within = max(0.0, deadline - state.clock.monotonic())
        sample, last_sample, last, waited = await poll(spec, state, _settled(key, state), within)
        others = _ours(last_sample, key, state)[1] if last_sample else []
        results.append(
            _record_resolved(alert.name, sample is not None, last, waited, recovery, state, others)
        )
    return all(results)


def _settled(key: SourceKey, state: RunState) -> Done:
    return lambda sample: not _ours(sample, key, state)[0]


def _ours(sample: Sample, key: SourceKey, state: RunState) -> tuple[list[Instance], list[Instance]]:
    """(instances this run caused, instances active before its first fault)."""
    found = instances(sample, key, state)
    first = state.alert_book.first_fault_wall
    if first is None:
        return found, []
    older = [i for i in found if i.active_at is not None and i.active_at < first]
    return [i for i in found if i not in older], older


def _record_resolved(
    name: str,
    ok: bool,
    last: str,
    waited: float,
    recovery: m.Recovery,
    state: RunState,
    others: list[Instance],
) -> bool:
    now = time.time()
    ttr = round(now - state.rollback_end_wall, 3) if ok and state.rollback_end_wall else None
    entry: dict[str, Any] = state.alerts.setdefault(
        name, {"name": name, "fired": None, "time_to_detect_s": None}
    )
    entry.update({"resolved": ok, "time_to_resolve_s": ttr})
    not_waited = [
        {**i.to_json(), "why": "active before the run's first fault: not caused by this run"}
        for i in others
    ]
    if ok:
        state.journal.write(
            AlertResolved(
                name=name,
                resolved_at=now,
                time_to_resolve_s=ttr,
                waited_s=round(waited, 3),
                not_waited_on=not_waited,
            )
        )
    reason = None if ok else f"alert {name} still {last} {recovery.within:g}s after the rollback"
    _record_expectation(state, "alerts_resolve", name, None, ok, reason, 1.0, None)
    return ok
