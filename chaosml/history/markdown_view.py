"""``chaosml history --format markdown``: the history for a CI job summary or a pull request."""

from __future__ import annotations

from chaosml import escape
from chaosml.history.formatting import (
    alerts_text,
    cell_counts,
    counts_text,
    number,
    seconds,
    series_sparkline,
    when,
)
from chaosml.history.text_view import RUNS_SHOWN
from chaosml.history.trends import HistoryView


def render_markdown(view: HistoryView, store: str) -> str:
    parts = [f"## Drill history ({len(view.runs)} runs, {len(view.searches)} searches)"]
    parts.append(f"Store: {_cell(store)}")
    parts.append(_regressions(view))
    parts.append(_series(view))
    if view.boundaries:
        parts.append(_boundaries(view))
    if cell_counts(view.runs):
        parts.append(_cells(view))
    parts.append(_runs(view))
    return "\n\n".join(parts) + "\n"


def _regressions(view: HistoryView) -> str:
    if not view.regressions:
        return "**No regression.**"
    lines = [f"**{len(view.regressions)} regression(s)**", ""]
    lines += [f"- ❌ `{r.kind}`: {_cell(r.message)}" for r in view.regressions]
    return "\n".join(lines)


def _series(view: HistoryView) -> str:
    rows = [
        "| alert | drill | trend | last | median | fired | time to notify (last, median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in view.series:
        paged = (
            f"{seconds(s.points[-1].time_to_notify_s)}, {seconds(s.notify_median_s)}"
            if s.notify_times
            else "-"
        )
        rows.append(
            f"| {_cell(s.alert)} | {_cell(s.title)} | {series_sparkline(s)} | "
            f"{seconds(s.points[-1].time_to_detect_s)} | {seconds(s.median_s)} | "
            f"{s.fired}/{len(s.points)} | {paged} |"
        )
    return "### Time to detect per alert\n\n" + "\n".join(rows)


def _boundaries(view: HistoryView) -> str:
    rows = [
        "| alert | drill | parameter | boundary over time | uncertainty |",
        "|---|---|---|---|---|",
    ]
    for b in view.boundaries:
        values = " → ".join(number(s.low_fires) for s in b.searches)
        rows.append(
            f"| {_cell(b.alert)} | {_cell(b.title)} | {_cell(b.param)} | {values} | "
            f"{number(b.searches[-1].uncertainty)} |"
        )
    return "### Sensitivity boundary per alert\n\n" + "\n".join(rows)


def _cells(view: HistoryView) -> str:
    rows = ["| alert | runs per cell |", "|---|---|"]
    rows += [f"| {_cell(a)} | {counts_text(c)} |" for a, c in cell_counts(view.runs).items()]
    return "### Silent-failure matrix\n\n" + "\n".join(rows)


def _runs(view: HistoryView) -> str:
    rows = ["| started (UTC) | run | drill | status | exit | alerts |", "|---|---|---|---|---|---|"]
    for r in view.runs[-RUNS_SHOWN:]:
        code = "—" if r.exit_code is None else str(r.exit_code)
        rows.append(
            f"| {when(r.started_at)} | `{_cell(r.run_id)}` | {_cell(r.title)} | {r.status} | "
            f"{code} | {_cell(alerts_text(r))} |"
        )
    return "### Runs\n\n" + "\n".join(rows)


def _cell(text: str) -> str:
    return escape.markdown(text).replace("\n", " ").strip()
