"""Before the method: every alert the method expects must be inactive (issue 20), and the alert
sources' clocks are measured (issue 21). Called by the runner with the steady state.

An expected alert that is already pending or firing (on the faulted target, with
``match_target``) ends the run ``not-steady`` before anything is injected, naming the alert,
its labels and since when. ``allow_already_firing: true`` waives the check, visibly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from chaosml.engine import alert_clocks, target_binding
from chaosml.engine.alerts import alert_probe, instances
from chaosml.engine.attribution import Instance, bound_to_target
from chaosml.engine.outcome import Status
from chaosml.engine.probing import emit_probe_result, read_sample
from chaosml.engine.state import RunState
from chaosml.errors import RefusedError
from chaosml.labels import labels_text
from chaosml.model import experiment as m

KIND = "alert_inactive"


@dataclass(frozen=True)
class PreconditionFailure:
    status: Status
    reason: str
    ended_by: str


async def check(state: RunState) -> PreconditionFailure | None:
    """None when the method may start; otherwise why it must not (refused or not steady)."""
    measured = await alert_clocks.measure(state, "start")
    refusal = alert_clocks.skew_refusal(measured, state.options.max_clock_skew_s)
    if refusal is not None:
        return PreconditionFailure(Status.REFUSED, refusal, "refused")
    try:
        active = [await _already_active(i, s, state) for i, s in _expected(state.experiment)]
    except RefusedError as exc:
        return PreconditionFailure(Status.REFUSED, exc.message, "refused")
    state.alert_book.steady_wall = time.time()  # the clock of the journal's walls
    problems = [text for text in active if text is not None]
    if not problems:
        return None
    return PreconditionFailure(
        Status.NOT_STEADY, "not steady before the method: " + "; ".join(problems), "not-steady"
    )


def _expected(experiment: m.Experiment) -> list[tuple[int, m.ExpectAlertStep]]:
    return [(i, s) for i, s in enumerate(experiment.method) if isinstance(s, m.ExpectAlertStep)]


async def _already_active(index: int, step: m.ExpectAlertStep, state: RunState) -> str | None:
    """Why the expected alert proves nothing yet (already active), or None."""
    alert = step.expect_alert
    binding = target_binding.binding_for(state.experiment.method, index, state.ctx.targets)
    if alert.allow_already_firing:
        _journal(state, f"{alert.name} (WAIVED: allow_already_firing)", True, None)
        return None
    spec = alert_probe(alert.name, alert.labels, alert.source, state)
    sample = await read_sample(spec, state)
    found = instances(sample, alert_clocks.source_key(alert.source), state)
    active = [i for i in found if bound_to_target(i.labels, binding)]
    reason = _describe(alert.name, active, time.time()) if active else None
    _journal(state, alert.name, reason is None, reason)
    return reason


def _describe(name: str, active: list[Instance], now: float) -> str:
    parts = [
        f"{i.state} {labels_text(i.labels, skip=())} since {_since(i.active_at, now)}"
        for i in active
    ]
    return (
        f"alert {name} is already active before any fault ({'; '.join(parts)}): "
        "a detection could not be told from it — resolve it first, or set "
        "allow_already_firing: true to run anyway (detection then not proven)"
    )


def _since(active_at: float | None, now: float) -> str:
    if active_at is None:
        return "an unknown time"
    stamp = datetime.fromtimestamp(active_at, UTC).isoformat(timespec="milliseconds")
    return f"{stamp} ({now - active_at:.1f}s ago)"


def _journal(state: RunState, name: str, ok: bool, reason: str | None) -> None:
    emit_probe_result(
        state,
        name=f"alert {name} inactive before the method",
        kind=KIND,
        step=None,
        ok=ok,
        sample=None,
        reason=reason,
        weight=0.0,
    )
