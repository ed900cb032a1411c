"""The table ``chaosml demo`` prints at the end: one line per drill, its verdict, each alert it
expected and the time that alert took to fire. Pure: a DemoResult in, text out.
"""

from __future__ import annotations

from chaosml.demo.drill import DemoResult, DrillVerdict
from chaosml.reporting.journal_reader import AlertRecord

_HEADER = f"  {'drill':<26} {'verdict':<20} {'exit':>4}  {'alert':<24} {'time to detect':>14}"


def render_verdicts(result: DemoResult) -> str:
    lines = ["", "chaosml demo: verdicts", "", _HEADER]
    for verdict in result.verdicts:
        lines += _drill_lines(verdict)
    if not result.with_alerts:
        lines += ["", "  (no Prometheus/Alertmanager: alerts were not checked; see docs/demo.md)"]
    lines += ["", f"Journals and reports: {result.out_dir}"]
    lines += [f"  {path}" for path in result.reports]
    code = result.exit_code
    lines += ["", f"Demo result: exit {int(code)} ({code.name.lower()})"]
    return "\n".join(lines) + "\n"


def _drill_lines(verdict: DrillVerdict) -> list[str]:
    names = list(verdict.expected_alerts) or [a.name for a in verdict.alerts] or ["—"]
    lines = []
    for index, name in enumerate(names):
        head = _head(verdict) if index == 0 else " " * 53
        lines.append(f"{head}  {name:<24} {_detected(verdict, name):>14}")
    if verdict.reason:
        lines.append(f"  {'':<26} {verdict.reason}")
    return lines


def _head(verdict: DrillVerdict) -> str:
    return f"  {verdict.drill:<26} {verdict.status:<20} {int(verdict.exit_code):>4}"


def _detected(verdict: DrillVerdict, name: str) -> str:
    record = _record(verdict.alerts, name)
    if record is None or not record.fired:
        return "—" if name == "—" else "did not fire"
    if record.time_to_detect_s is None:
        return "fired"
    return f"{record.time_to_detect_s:.1f}s"


def _record(alerts: tuple[AlertRecord, ...], name: str) -> AlertRecord | None:
    return next((a for a in alerts if a.name == name), None)
