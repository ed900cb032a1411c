"""A sensitivity search rendered from its search journal (``search.jsonl``): the trial table in
Markdown, a self-contained HTML page with the plot, and the JSON of its result. Pure renderers
over the events; ``read_search`` is the one reader."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from chaosml.errors import InputError
from chaosml.journal.reader import read_lines
from chaosml.reporting.matrix import compute_matrix
from chaosml.reporting.sensitivity_svg import render_search_plot

COLUMNS = ("#", "value", "fired", "time to detect", "status", "run", "duration")


@dataclass
class SearchReport:
    start: dict[str, Any]
    trials: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None


def read_search(path: Path) -> SearchReport:
    """Through the one journal reader (located errors, torn last line, typed events)."""
    events = [e.model_dump() for e in read_lines(path).events]
    start = next((e for e in events if e["event"] == "sensitivity.start"), None)
    if start is None:
        raise InputError(f"{path} is not a sensitivity search journal: no sensitivity.start")
    report = SearchReport(start)
    report.trials = [e for e in events if e["event"] == "sensitivity.trial"]
    report.result = next((e for e in events if e["event"] == "sensitivity.result"), None)
    return report


def trial_rows(report: SearchReport) -> list[tuple[str, ...]]:
    return [
        (
            str(t["index"]),
            f"{t['value']:g}",
            "yes" if t["fired"] else "no",
            f"{t['time_to_detect_s']:.2f}s" if t.get("time_to_detect_s") is not None else "-",
            f"{t['status']} ({t['exit_code']})",
            str(t["trial_run_id"]),
            f"{t['duration_s']:.1f}s",
        )
        for t in report.trials
    ]


def headline(report: SearchReport) -> str:
    start, result = report.start, report.result
    if result is None:
        return f"{start['title']}: the search did not finish (no sensitivity.result)"
    spent = f"{result['trials']} trials, {result['duration_s']:.0f}s"
    return f"{start['title']}: {result['message']} — {spent}"


def render_markdown(report: SearchReport) -> str:
    lines = [
        f"# Sensitivity of {report.start['alert']} to {report.start['param']}",
        "",
        headline(report),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in trial_rows(report)]
    return "\n".join(lines) + "\n"


def render_html(report: SearchReport) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in trial_rows(report)
    )
    plot = render_search_plot(report.start, report.trials, report.result)
    title = escape(f"Sensitivity of {report.start['alert']} to {report.start['param']}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>"
        f"<h1>{title}</h1><p>{escape(headline(report))}</p>{plot}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )


def render_json(report: SearchReport) -> str:
    cells = compute_matrix(c for t in report.trials for c in t.get("classified") or [])
    body = {"result": report.result, "trials": report.trials, "matrix": cells.to_json()}
    return json.dumps(body, indent=2) + "\n"


def is_search_journal(path: Path) -> bool:
    """``path`` is a search journal (``search.jsonl``): its first event is sensitivity.start."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = json.loads(handle.readline() or "{}")
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and first.get("event") == "sensitivity.start"


def search_outputs(path: Path, html: Path | None, markdown: Path | None) -> dict[Path | None, str]:
    """What ``chaosml report SEARCH.jsonl`` writes: each requested file (None: stdout)."""
    report = read_search(path)
    wanted: dict[Path | None, str] = {}
    if html is not None:
        wanted[html] = render_html(report)
    if markdown is not None:
        wanted[markdown] = render_markdown(report)
    return wanted or {None: render_markdown(report)}
