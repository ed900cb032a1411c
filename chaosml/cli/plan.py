"""``--dry-run``: the plan — which targets, which faults, in which order, when."""

from __future__ import annotations

from chaosml.durations import format_duration
from chaosml.engine.blast_radius import worst_case_seconds
from chaosml.engine.outcome import RunOutcome
from chaosml.loader import Loaded
from chaosml.model import experiment as m
from chaosml.reporting.journal_writer import read_events


def print_plan(item: Loaded, outcome: RunOutcome) -> None:
    exp = item.experiment
    print(f"\nPLAN — {exp.title} (dry run: nothing was touched)")
    if outcome.journal_path is not None:
        _print_targets(outcome)
    print(f"  steady state: {len(exp.steady_state)} probe(s), guards: {len(exp.guards)}")
    clock = 0.0
    for index, step in enumerate(exp.method):
        print(f"  t+{format_duration(clock):>6}  [{index}] {_describe(step)}")
        clock += _duration(step)
    print(
        f"  rollback: automatic undos in reverse order, then {len(exp.rollbacks)} rollback step(s)"
    )
    limit = exp.blast_radius.max_duration
    bound = f" (max_duration {format_duration(limit)})" if limit else ""
    print(f"  longest possible run: {format_duration(worst_case_seconds(exp))}{bound}")


def _print_targets(outcome: RunOutcome) -> None:
    assert outcome.journal_path is not None
    rows = [e for e in read_events(outcome.journal_path) if e["event"] == "target.resolved"]
    if not rows:
        return
    print(f"  {'TARGET':<12} {'KIND':<8} {'CHOSEN':>6} {'OF':>4}  MEMBERS")
    for e in rows:
        t = e["target"]
        names = ", ".join(x["name"] for x in t["members"])
        waived = "  \x1b[31m(opt-in label WAIVED)\x1b[0m" if e.get("require_label") is None else ""
        print(
            f"  {t['name']:<12} {t['kind']:<8} {len(t['members']):>6} {t['matched']:>4}"
            f"  {names}{waived}"
        )


def _describe(step: m.Step) -> str:
    if isinstance(step, m.FaultStep):
        extra = f" for {format_duration(step.duration)}" if step.duration else " until rollback"
        return f"fault {step.fault} {step.params.model_dump(exclude_none=True)}{extra}" + (
            " (background)" if step.background else ""
        )
    if isinstance(step, m.ActionStep):
        return f"action {step.action}"
    if isinstance(step, m.ExpectAlertStep):
        within = format_duration(step.expect_alert.fires_within)
        return f"expect alert {step.expect_alert.name} firing within {within}"
    return step.label


def _duration(step: m.Step) -> float:
    if isinstance(step, m.WaitStep):
        return step.wait
    if isinstance(step, m.FaultStep) and step.duration and not step.background:
        return step.duration
    return 0.0
