"""Markdown that fits a pull-request comment: a verdict table, then per run only what matters
(failed expectations, alerts with time to detect/recover, pending undos), the ML Test Score
coverage for drills, and the details folded away. Pure: runs in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chaosml.reporting.coverage import Coverage, compute_coverage
from chaosml.reporting.journal_reader import RunReport

ICON = {"completed": "✅", "deviated": "❌", "refused": "⛔", "not-steady": "⚠️"}
MAX_CHARS = 60_000  # GitHub allows 65,536 characters in a comment


def render_markdown(reports: Sequence[RunReport], coverage: Coverage | None = None) -> str:
    """The comment body for one run or a drill."""
    parts = [_headline(reports), _summary_table(reports)]
    if len(reports) > 1 or coverage is not None:
        parts.append(_coverage(coverage or compute_coverage(reports)))
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
            f"| {ICON.get(r.status, '⚠️')} | {_cell(r.title)} | {r.status}{exit_code} "
            f"| {score} | {_alert_cell(r)} |"
        )
    return "\n".join(rows)


def _alert_cell(r: RunReport) -> str:
    cells = []
    for a in r.alerts:
        if not a.fired:
            cells.append(f"{a.name}: **did not fire**")
            continue
        cells.append(f"{a.name}: {_secs(a.time_to_detect_s)} / {_secs(a.time_to_resolve_s)}")
    return _cell("; ".join(cells)) or "—"


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
    lines = [f"<details><summary><b>{_cell(r.title)}</b> — {r.status}</summary>", ""]
    lines.append(f"run `{r.run_id}` · {r.duration_s:.1f}s · ended by {r.ended_by or '—'}")
    if r.reason:
        lines.append(f"\n> {_cell(r.reason)}")
    lines += ["", *problems] if problems else ["", _no_problem(r)]
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
            yield f"- {mark}: **{_cell(p.name)}** ({p.phase}) — {_cell(p.error or p.reason or '')}"
    for g in r.guard_breaches:
        yield f"- guard breached: **{_cell(g.name)}** — {_cell(g.error or g.reason)}"
    for f in r.pending:
        yield f"- ⚠️ undo pending: `{f.undo_id}` {_cell(f.undo_description)} — needs a person"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}s"
