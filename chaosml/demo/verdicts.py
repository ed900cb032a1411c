"""The table ``chaosml demo`` prints at the end: one line per drill, its verdict, each alert it
expected and the time that alert took to fire. Pure: a DemoResult in, text out.
"""

from __future__ import annotations

from chaosml.demo.drill import DemoResult, DrillVerdict
from chaosml.demo.metrics_only import SUBSTITUTE_NAMES
from chaosml.reporting.journal_reader import AlertRecord

NO_ALERTS_NOTE = (
    "  No Prometheus/Alertmanager: no alert was checked. Each alert's signal was read straight\n"
    "  from the services instead (metric seen / not seen); see docs/demo.md."
)
_HEADER = f"  {'drill':<26} {'verdict':<20} {'exit':>4}  {'alert':<24} {'time to detect':>14}"


def render_verdicts(result: DemoResult) -> str:
    lines = ["", "chaosml demo: verdicts", "", _HEADER]
    for verdict in result.verdicts:
        lines += _drill_lines(verdict, result.with_alerts)
    if not result.with_alerts:
        lines += ["", NO_ALERTS_NOTE]
    lines += ["", f"Journals and reports: {result.out_dir}"]
    lines += [f"  {path}" for path in result.reports]
    code = result.exit_code
    lines += ["", f"Demo result: exit {int(code)} ({code.name.lower()})"]
    return "\n".join(lines) + "\n"


def _drill_lines(verdict: DrillVerdict, with_alerts: bool) -> list[str]:
    names = list(verdict.expected_alerts) or [a.name for a in verdict.alerts] or ["—"]
    lines = []
    for index, name in enumerate(names):
        head = _head(verdict) if index == 0 else " " * len(_head(verdict))
        seen = _detected(verdict, name) if with_alerts else _substitute(verdict, name)
        lines.append(f"{head}  {name:<24} {seen:>14}")
    if verdict.reason:
        lines.append(f"  {'':<26} {verdict.reason}")
    return lines


def _head(verdict: DrillVerdict) -> str:
    return f"  {verdict.drill:<26} {verdict.status:<20} {int(verdict.exit_code):>4}"


def _detected(verdict: DrillVerdict, name: str) -> str:
    record = _record(verdict.alerts, name)
    if record is not None and not record.tested:
        return "not tested"  # the fault before it had no effect
    if record is None or not record.fired:
        return "—" if name == "—" else "did not fire"
    if record.time_to_detect_s is None:
        return "fired"
    return f"{record.time_to_detect_s:.1f}s"


def _substitute(verdict: DrillVerdict, name: str) -> str:
    ok = verdict.checks.get(SUBSTITUTE_NAMES.get(name, ""))
    return "not checked" if ok is None else ("metric seen" if ok else "metric not seen")


def _record(alerts: tuple[AlertRecord, ...], name: str) -> AlertRecord | None:
    return next((a for a in alerts if a.name == name), None)
