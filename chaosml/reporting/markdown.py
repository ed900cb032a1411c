"""Markdown that fits a pull-request comment: a verdict table, then per run only what matters
(failed expectations, alerts with time to detect/recover, pending undos), the ML Test Score
coverage for drills, and the details folded away. Pure: runs in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chaosml import escape
from chaosml.reporting.coverage import Coverage, compute_coverage
from chaosml.reporting.detection import attribution_lines, time_to_detect_text
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.matrix import render_matrix_markdown
from chaosml.reporting.notification_lines import for_alert, summary_lines

ICON = {"completed": "✅", "deviated": "❌", "refused": "⛔", "not-steady": "⚠️"}
MAX_CHARS = 60_000  # GitHub allows 65,536 characters in a comment


def render_markdown(reports: Sequence[RunReport], coverage: Coverage | None = None) -> str:
    """The comment body for one run or a drill."""
    parts = [_headline(reports), _summary_table(reports)]
    if len(reports) > 1 or coverage is not None:
        parts.append(_coverage(coverage or compute_coverage(reports)))
    parts.append(render_matrix_markdown(reports))  # issue 14: silent failures, noisy alerts
    parts += [_run_details(r) for r in reports]
    text = "\n\n".join(p for p in parts if p) + "\n"
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 40] + "\n\n… (truncated; see the HTML report)\n"
    return text


def _headline(reports: Sequence[RunReport]) -> str:
    ok = sum(1 for r in reports if r.status == "completed")
    noun = "experiment" if len(reports) == 1 else "experiments"
    return f"### chaosml: {ok}/{len(reports)} {noun} held"


def _summary_table(reports: Sequence[RunReport]) -> str:
    rows = ["| | experiment | verdict | score | alerts (TTD / TTR) |", "|---|---|---|---|---|"]
    for r in reports:
        score = "n/a" if r.score is None else f"{r.score:.0%}"
        exit_code = "" if r.exit_code is None else f" (exit {r.exit_code})"
        rows.append(
            f"| {ICON.get(r.status, '⚠️')} | {_cell(r.title)} | {_cell(r.status)}{exit_code} "
            f"| {score} | {_alert_cell(r)} |"
        )
    return "\n".join(rows)


def _alert_cell(r: RunReport) -> str:
    cells = []
    for a in r.alerts:
        name = escape.markdown(a.name)
        if not a.tested:
            cells.append(f"{name}: not tested (no effect)")
            continue
        if not a.fired:
            cells.append(f"{name}: **did not fire**")
            continue
        detect = time_to_detect_text(
            a.time_to_detect_s, a.time_to_detect_uncertainty_s, a.proven, digits=1
        )
        notify = "".join(f", {escape.markdown(n)}" for n in for_alert(r.summary, a.name))
        cells.append(f"{name}: {escape.markdown(detect)} / {_secs(a.time_to_resolve_s)}{notify}")
    return "; ".join(cells).replace("\n", " ") or "—"


def _coverage(coverage: Coverage) -> str:
    rows = [
        f"**ML Test Score monitoring coverage: {coverage.proved}/7 proved**",
        "",
        "| test | state | proved by | failed |",
        "|---|---|---|---|",
    ]
    for t in coverage.tests:
        proved = _cell(", ".join(e.title for e in t.proved_by)) or "—"
        failed = _cell(", ".join(e.title for e in t.failed_by)) or "—"
        rows.append(f"| {t.test} | {t.state} | {proved} | {failed} |")
    return "\n".join(rows)


def _run_details(r: RunReport) -> str:
    problems = list(_problems(r))
    title = escape.html(r.title).replace("\n", " ")
    lines = [f"<details><summary><b>{title}</b> — {escape.html(r.status)}</summary>", ""]
    ended_by = _cell(r.ended_by or "—")
    lines.append(f"run {_code(r.run_id)} · {r.duration_s:.1f}s · ended by {ended_by}")
    if r.reason:
        lines.append(f"\n> {_cell(r.reason)}")
    if r.watchdog:
        lines.append(f"\nwatchdog: {_cell(r.watchdog)}")
    lines += [f"\n⚠️ **WARNING**: {_cell(w)}" for w in r.warnings]
    lines += ["", *problems] if problems else ["", _no_problem(r)]
    lines += attribution_lines(r.alerts)
    notes = [f"- {escape.markdown(line)}" for line in summary_lines(r.summary)]
    lines += ["", *notes] if notes else []
    lines += ["", "</details>"]
    return "\n".join(lines)


def _no_problem(r: RunReport) -> str:
    if r.not_run:
        return "No score: the run did not finish. Not run: " + _cell(", ".join(r.not_run)) + "."
    if r.status == "incomplete":
        return "No score: the run did not finish (no run.end: killed?)."
    return "All expectations met."


def _problems(r: RunReport) -> Iterable[str]:
    for p in r.expectations:
        if not p.ok:
            mark = "tolerated" if p.tolerated else "failed"
            why = _cell(p.error or p.reason or "")
            yield f"- {mark}: **{_cell(p.name)}** ({_cell(p.phase)}) — {why}"
    for g in r.guard_breaches:
        yield f"- guard breached: **{_cell(g.name)}** — {_cell(g.error or g.reason)}"
    for f in r.faults:
        if f.evidence is not None:
            effect = "no effect" if f.effect is False else "effect"
            yield f"- fault **{_cell(f.name)}**: {effect} — {_cell(f.evidence)}"
    for f in r.pending:
        yield f"- ⚠️ undo pending: {_code(f.undo_id)} {_cell(f.undo_description)} — needs a person"


def _cell(text: str) -> str:
    """User data on one line, shown literally (no tag, image, link or table cell of its own)."""
    return escape.markdown(text).replace("\n", " ").strip()


def _code(text: str | None) -> str:
    """A code span: shown literally, only a backtick could end it early."""
    return "`" + escape.plain(text or "").replace("`", "").replace("\n", " ") + "`"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}s"
