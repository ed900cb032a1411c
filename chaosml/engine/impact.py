"""The impact phase (docs/silent-failures.md): when the method ends, while the faults are still
in place, read the ``impact:`` probes (what harm looks like for users) and the alerts of
``expect_no_alert:``, then classify every alert of the run: caught, silent failure, noisy alert
or benign. Journals ``impact.result`` and one ``alert.classified`` per alert; a silent failure
(or an alert that must stay quiet firing) makes the run deviate."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from chaosml.engine.probing import ProbeOutcome, run_probe
from chaosml.engine.state import RunState
from chaosml.journal.events import AlertClassified, ImpactResult
from chaosml.model import experiment as m
from chaosml.sensitivity.matrix import NO_ALERT, Classified, classify, one_line, violations


async def assess(state: RunState) -> bool:
    """False when the run must deviate for what this phase found."""
    exp = state.experiment
    if not exp.impact and not exp.expect_no_alert:
        return True
    harmed = await _impact(state)
    harm_reason = "; ".join(f"{o.spec.name}: {o.reason}" for o in harmed)
    fired = await asyncio.gather(*(_fired(a, state) for a in exp.expect_no_alert))
    quiet = {a.name: f for a, f in zip(exp.expect_no_alert, fired, strict=True)}
    rows = _rows(state, bool(harmed), quiet)
    for row in rows:
        state.journal.write(AlertClassified(**asdict(row)))
    state.classified = [asdict(r) for r in rows]
    problems = [p for p in (one_line(rows, harm_reason),) if p] + violations(rows)
    state.deviations[:0] = problems  # the silent failure is the first line of the reason
    return not problems


async def _impact(state: RunState) -> list[ProbeOutcome]:
    """The impact probes that show harm (failed expectation, or no answer at all)."""
    probes = state.experiment.impact
    outcomes = await asyncio.gather(*(run_probe(p, state) for p in probes))
    harmed = [o for o in outcomes if not o.ok and not o.infrastructure]
    broken = [o for o in outcomes if o.infrastructure]
    state.journal.write(
        ImpactResult(
            harm=bool(harmed),
            probes=[
                {"name": o.spec.name, "ok": o.ok, "reason": o.reason or None} for o in outcomes
            ],
            unreadable=[o.spec.name for o in broken],
        )
    )
    return harmed


async def _fired(alert: m.ExpectNoAlert, state: RunState) -> bool:
    params = state.registry.driver_class("probe", "alert").params_model.model_validate(
        {"name": alert.name, "labels": alert.labels, "source": alert.source.model_dump()}
    )
    spec = m.ProbeSpec(name=f"no alert {alert.name}", kind="alert", params=params)
    outcome = await run_probe(spec, state)
    return outcome.sample is not None and outcome.sample.value == "firing"


def _rows(state: RunState, harm: bool, quiet: dict[str, bool]) -> list[Classified]:
    tests = tuple(state.experiment.ml_test_score)
    expected = [
        s.expect_alert.name for s in state.experiment.method if isinstance(s, m.ExpectAlertStep)
    ]
    rows = [
        Classified(name, classify(harm, fired), harm, fired, "fire", tests)
        for name, fired in ((n, bool(state.alerts.get(n, {}).get("fired"))) for n in expected)
    ]
    rows += [
        Classified(name, classify(harm, fired), harm, fired, "quiet", tests)
        for name, fired in quiet.items()
    ]
    if not rows:
        rows.append(Classified(NO_ALERT, classify(harm, False), harm, False, "none", tests))
    return rows
