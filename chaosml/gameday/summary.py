"""The drill summary printed at the end of ``chaosml gameday``: one line per experiment, the
ML Test Score coverage, the drill's exit code. Pure: a DrillResult in, text out.
"""

from __future__ import annotations

from chaosml.exit_codes import ExitCode
from chaosml.gameday.runner import DrillResult, ExperimentOutcome
from chaosml.reporting.coverage import render_coverage_text
from chaosml.reporting.detection import detection, slowest_detection
from chaosml.reporting.html import DrillHeadline
from chaosml.reporting.notification_lines import summary_lines

_INDENT = " " * 47  # under the experiment column


def render_summary(result: DrillResult) -> str:
    code = result.exit_code
    lines = [
        f"Game day: {result.title}",
        f"drill {result.drill_id} · environment {result.environment or '—'} · "
        f"{result.duration_s:.1f}s",
        "",
        f"  {'#':>2}  {'verdict':<20} {'exit':>4}  {'score':>5}  {'detect':>7}  experiment",
    ]
    lines += [_line(o) for o in result.outcomes]
    if result.stopped:
        lines += ["", f"Stopped early: {result.stopped.removeprefix('skipped: ')}"]
    lines += ["", render_coverage_text(result.coverage), ""]
    lines.append(f"Drill result: exit {int(code)} ({ExitCode(code).name.lower()})")
    return "\n".join(lines) + "\n"


def _line(o: ExperimentOutcome) -> str:
    exit_text = "—" if o.exit_code is None else str(int(o.exit_code))
    score = o.report.score if o.report is not None else None
    score_text = "—" if score is None else f"{score:.0%}"
    alerts = o.report.alerts if o.report is not None else []
    detect = slowest_detection(alerts) if o.report is not None else "—"
    line = (
        f"  {o.index + 1:>2}  {o.status:<20} {exit_text:>4}  {score_text:>5}  {detect:>7}  "
        f"{o.title}"
    )
    detail = o.note or (o.report.reason if o.report is not None else "")
    if detail:
        line += f"\n{_INDENT}{detail}"
    if alerts:
        line += f"\n{_INDENT}time to detect: " + ", ".join(detection(a) for a in alerts)
    if o.report is not None:
        line += "".join(f"\n{_INDENT}{n}" for n in summary_lines(o.report.summary))
    if o.journal is not None and o.report is not None:
        line += f"\n{_INDENT}journal: {o.journal}"
    return line


def drill_headline(result: DrillResult) -> DrillHeadline:
    """The top of the game day's HTML report."""
    return DrillHeadline(
        result.title, result.duration_s, int(result.exit_code), result.drill_id, result.environment
    )
