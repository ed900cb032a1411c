"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no fetches).

Pure: ``render_html(reports)`` returns the document as a string. One section per run: verdict,
resilience score, blast radius and targets, the timeline plot, alerts with time to detect and
to recover, probe results, faults and their undos, guard breaches, rollback steps. With several
runs (a game day) it opens with a drill summary and the ML Test Score coverage table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from chaosml import redaction
from chaosml.durations import format_duration
from chaosml.exit_codes import ExitCode, most_severe
from chaosml.reporting.coverage import Coverage, compute_coverage
from chaosml.reporting.detection import detection, time_to_detect_text
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.matrix import render_matrix_html
from chaosml.reporting.notification_lines import ROW_HEAD, rows
from chaosml.reporting.svg_timeline import render_timeline

VERDICT_CLASS = {"completed": "good", "deviated": "bad", "refused": "neutral"}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 margin:24px;color:#1d2430;background:#fff;max-width:1180px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}code{font-size:12px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.good{background:#2b8a3e}.bad{background:#c92a2a}.warn{background:#e67700}
.neutral{background:#5c6b7a}
.ok{color:#2b8a3e;font-weight:600}.fail{color:#c92a2a;font-weight:600}
.muted{color:#6b7785}.score{font-size:20px;font-weight:700}
section.run{margin-bottom:48px}
svg.timeline{border:1px solid #dde1e6;background:#fff;max-width:100%;height:auto}
svg .metric-name{font-size:13px;font-weight:600;fill:#1d2430}
svg .tick{font-size:10px;fill:#5c6b7a}svg .legend{font-size:12px;fill:#1d2430}
svg .grid{stroke:#e9ecef}svg .frame{fill:none;stroke:#adb5bd}svg .axis{stroke:#868e96}
svg .phase-label{font-size:10px;fill:#6b7785}svg .fault-label{font-size:10px;fill:#a51d24}
svg .mark-label{font-size:11px;font-weight:600}svg .read-error{font-size:14px;fill:#c92a2a}
"""


@dataclass(frozen=True)
class DrillHeadline:
    """What a game day's report opens with: the plan's title, how long it took, its exit code."""

    title: str
    duration_s: float
    exit_code: int
    drill_id: str = ""
    environment: str | None = None


def render_html(
    reports: Sequence[RunReport],
    coverage: Coverage | None = None,
    headline: DrillHeadline | None = None,
) -> str:
    """One HTML document for one run or a whole drill (``headline``: the game day's)."""
    if headline is None and len(reports) > 1:
        headline = _headline_of(reports)
    title = headline.title if headline is not None else reports[0].title
    parts = [f"<h1>{escape(title)}</h1>"]
    if headline is not None:
        parts.append(_headline(headline, len(reports)))
    if len(reports) > 1 or headline is not None:
        parts.append(_drill_summary(reports))
    if len(reports) > 1 or coverage is not None:
        parts.append(_coverage(coverage or compute_coverage(reports)))
    parts.append(render_matrix_html(reports))  # issue 14: silent failures, noisy alerts
    parts += [_run_section(r, heading=len(reports) > 1) for r in reports]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "".join(parts)
        + '<p class="muted">Rendered by chaosml from the run journals.</p></body></html>\n'
    )


def _headline_of(reports: Sequence[RunReport]) -> DrillHeadline:
    """Several journals without a plan: their count, total duration and most severe exit."""
    codes = [ExitCode(r.exit_code) for r in reports if r.exit_code is not None]
    total = sum(r.duration_s for r in reports)
    return DrillHeadline(f"chaosml drill: {len(reports)} runs", total, int(most_severe(codes)))


def _headline(h: DrillHeadline, runs: int) -> str:
    css = "good" if h.exit_code == 0 else "bad"
    name = _exit_name(h.exit_code)
    facts = [f'<span class="badge {css}">exit {h.exit_code} · {escape(name)}</span>']
    facts.append(f"{runs} experiment(s) in {escape(format_duration(h.duration_s))}")
    if h.drill_id:
        facts.append(f"drill <code>{escape(h.drill_id)}</code>")
    if h.environment:
        facts.append(f"environment {escape(h.environment)}")
    return f'<p class="headline">{" · ".join(facts)}</p>'


def _exit_name(code: int) -> str:
    try:
        return ExitCode(code).name.lower()
    except ValueError:
        return "unknown"


def verdict_badge(report: RunReport) -> str:
    css = VERDICT_CLASS.get(report.status, "warn")
    code = "" if report.exit_code is None else f" · exit {report.exit_code}"
    return f'<span class="badge {css}">{escape(report.status)}{code}</span>'


def _drill_summary(reports: Sequence[RunReport]) -> str:
    rows = [
        (
            escape(r.title),
            verdict_badge(r),
            _score_text(r),
            _detections(r),
            escape(r.reason),
            f"<code>{escape(r.run_id)}</code>",
        )
        for r in reports
    ]
    return "<h2>Drill summary</h2>" + _table(
        ("experiment", "verdict", "score", "time to detect", "reason", "run id"), rows
    )


def _detections(r: RunReport) -> str:
    return _names(detection(a) for a in r.alerts)


def _coverage(coverage: Coverage) -> str:
    rows = []
    for t in coverage.tests:
        css = {"proved": "ok", "failed": "fail"}.get(t.state, "muted")
        rows.append(
            (
                f"<b>{t.test}</b>",
                escape(t.description),
                f'<span class="{css}">{escape(t.state)}</span>',
                _names(e.title for e in t.proved_by),
                _names(f"{e.title}: {e.reason}" for e in t.failed_by),
            )
        )
    head = f"<h2>ML Test Score monitoring coverage ({coverage.proved}/7 proved)</h2>"
    return head + _table(("test", "monitoring test", "state", "proved by", "failed"), rows)


def _names(items: Iterable[str]) -> str:
    return "<br>".join(escape(i) for i in items) or '<span class="muted">—</span>'


def _run_section(r: RunReport, heading: bool) -> str:
    parts = [
        f'<section class="run" id="run-{escape(r.run_id)}">',
        f"<h2>{escape(r.title)}</h2>" if heading else "",
        _verdict(r),
        _blast_radius(r),
        _timeline(r),
        _alerts(r),
        _notifications(r),
        _probes(r),
        _faults(r),
        _guards(r),
        _rollback_steps(r),
        "</section>",
    ]
    return "".join(parts)


def _timeline(r: RunReport) -> str:
    """The plot of the observed metrics; none is drawn when the run observed none."""
    if not r.timeline:
        return (
            '<h3>Timeline</h3><p class="muted">No metric observed '
            "(an <code>observe:</code> section in the experiment draws one here).</p>"
        )
    return "<h3>Timeline</h3>" + render_timeline(r)


def _verdict(r: RunReport) -> str:
    started = _wall(r.started_wall)
    facts = (
        ("verdict", verdict_badge(r)),
        ("resilience score", f'<span class="score">{_score_text(r)}</span>'),
        ("reason", escape(r.reason or "—")),
        ("ended by", escape(r.ended_by or "—")),
        ("watchdog", escape(r.watchdog or "—")),
        *(("⚠ WARNING", f"<strong>{escape(w)}</strong>") for w in r.warnings),
        ("run id", f"<code>{escape(r.run_id)}</code>"),
        ("environment", escape(r.environment or "—")),
        ("started", escape(started)),
        ("duration", f"{r.duration_s:.2f}s"),
        ("experiment", f"<code>{escape(r.experiment_path)}</code>"),
        ("command line", f"<code>{escape(' '.join(r.command_line))}</code>"),
        ("chaosml", escape(r.version)),
        ("tags", escape(", ".join(r.tags) or "—")),
    )
    return _table(("", ""), [(f"<b>{k}</b>", v) for k, v in facts], header=False)


def _score_text(r: RunReport) -> str:
    score = r.score
    if score is None:
        return (
            "no score: the run did not finish" if r.not_run or r.status == "incomplete" else "n/a"
        )
    return f"{score:.0%} ({r.expectations_met}/{len(r.expectations)})"


def _blast_radius(r: RunReport) -> str:
    radius = r.experiment.get("blast_radius") or {}
    rows = [
        ("environments", escape(", ".join(radius.get("environments") or []) or "any")),
        ("max duration", _duration(radius.get("max_duration"))),
    ]
    for name, spec in (radius.get("targets") or {}).items():
        rows.append((f"target <b>{escape(name)}</b>", f"<code>{escape(_compact(spec))}</code>"))
    targets = [
        (escape(t.name), escape(t.kind), str(t.matched), escape(", ".join(t.members) or "—"))
        for t in r.targets
    ]
    out = "<h3>Blast radius</h3>" + _table(("", ""), rows, header=False)
    if targets:
        out += _table(("target", "kind", "matched", "chosen"), targets)
    return out


def _alerts(r: RunReport) -> str:
    if not r.alerts:
        return ""
    rows = [
        (
            escape(a.name),
            _flag(a.fired, "fired", "did not fire") if a.tested else "not tested (no effect)",
            escape(
                time_to_detect_text(a.time_to_detect_s, a.time_to_detect_uncertainty_s, a.proven)
            )
            if a.fired
            else _seconds(a.time_to_detect_s),
            _flag(a.resolved, "resolved", "not resolved"),
            _seconds(a.time_to_resolve_s),
        )
        for a in r.alerts
    ]
    head = ("alert", "fired", "time to detect", "resolved", "time to recover")
    return "<h3>Alerts</h3>" + _table(head, rows)


def _notifications(r: RunReport) -> str:
    found = [tuple(escape(cell) for cell in row) for row in rows(r.summary)]
    return "<h3>Notifications</h3>" + _table(ROW_HEAD, found) if found else ""


def _probes(r: RunReport) -> str:
    if not r.probes:
        return ""
    rows = [
        (
            escape(p.phase),
            _probe_state(p.ok, p.tolerated),
            escape(p.name),
            escape(p.kind),
            f"<code>{escape(_compact(_value(p.value)))}</code>",
            f"<code>{escape(_compact(p.expect))}</code>",
            escape(p.error or p.reason or ""),
        )
        for p in r.probes
    ]
    head = ("phase", "result", "probe", "kind", "value", "expected", "why")
    return "<h3>Probe results</h3>" + _table(head, rows)


def _faults(r: RunReport) -> str:
    if not r.faults:
        return ""
    rows = [
        (
            escape(f.undo_id or "—"),
            escape(f.name),
            escape(f.target or "—"),
            escape(f.description),
            _seconds(f.start),
            _seconds(f.end),
            escape(f.undo_description or "—"),
            _undo_state(f.undo_id, f.reverted_ok, f.reverted_by, f.attempts, f.error),
            _evidence(f.effect, f.evidence),
        )
        for f in r.faults
    ]
    head = ("undo", "fault", "target", "what", "applied at", "reverted at", "undo", "undone")
    return "<h3>Faults and undos</h3>" + _table((*head, "evidence"), rows)


def _evidence(effect: bool | None, summary: str | None) -> str:
    if summary is None:
        return '<span class="muted">—</span>'
    if effect is False:
        return f'<span class="fail">no effect</span>: {escape(summary)}'
    return escape(summary)


def _undo_state(
    undo_id: str | None, ok: bool | None, by: str | None, attempts: int, error: str | None
) -> str:
    if undo_id is None:
        return '<span class="muted">no undo</span>'
    if ok:
        return f'<span class="ok">yes</span> by {escape(by or "?")}, {attempts} attempt(s)'
    why = f": {escape(error)}" if error else ""
    return f'<span class="fail">PENDING — may still be in place</span>{why}'


def _guards(r: RunReport) -> str:
    if not r.guard_breaches:
        return ""
    rows = [
        (escape(g.name), _seconds(g.at), escape(_compact(g.value)), escape(g.error or g.reason))
        for g in r.guard_breaches
    ]
    return "<h3>Guard breaches</h3>" + _table(("guard", "at", "value", "why"), rows)


def _rollback_steps(r: RunReport) -> str:
    if not r.rollback_steps:
        return ""
    rows = [
        (escape(s.name), escape(s.action), _flag(s.ok, "ok", "failed"), escape(s.error or ""))
        for s in r.rollback_steps
    ]
    return "<h3>Rollback steps</h3>" + _table(("step", "action", "result", "error"), rows)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], header: bool = True) -> str:
    thead = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>" if header else ""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>{thead}{body}</table>"


def _flag(value: bool, yes: str, no: str) -> str:
    return f'<span class="ok">{yes}</span>' if value else f'<span class="fail">{no}</span>'


def _probe_state(ok: bool, tolerated: bool) -> str:
    if ok:
        return '<span class="ok">✓ met</span>'
    return (
        '<span class="muted">✗ tolerated</span>'
        if tolerated
        else '<span class="fail">✗ failed</span>'
    )


def _duration(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return escape(format_duration(float(value)))
    return escape(str(value)) if value is not None else "—"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}s"


def _wall(value: float | None) -> str:
    if value is None:
        return "—"
    return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _value(value: Any) -> Any:
    """The primary value of a recorded sample (``{value, status, ...}``)."""
    if not isinstance(value, dict) or "value" not in value:
        return value
    primary = value.get("value")
    return value.get("status") if primary is None else primary


def _compact(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return redaction.clip(text, 160)
