"""The silent-failure matrix over runs (docs/silent-failures.md): per alert and per ML Test
Score test, how many runs fell in each cell (caught, silent failure, noisy alert, benign).
Pure: the runs' ``run.end`` summaries in (``classified``), tables out, for the console, Markdown,
HTML and JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from chaosml.reporting.journal_reader import RunReport
from chaosml.sensitivity.matrix import CELLS


@dataclass
class Row:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CELLS, 0))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, **self.counts}


@dataclass
class Matrix:
    alerts: list[Row]
    tests: list[Row]

    def __bool__(self) -> bool:
        return bool(self.alerts)

    def to_json(self) -> dict[str, Any]:
        return {
            "alerts": [r.to_json() for r in self.alerts],
            "ml_test_score": [r.to_json() for r in self.tests],
        }


def compute_matrix(classified: Iterable[dict[str, Any]]) -> Matrix:
    alerts: dict[str, Row] = {}
    tests: dict[str, Row] = {}
    for item in classified:
        cell = str(item["cell"])
        alerts.setdefault(item["alert"], Row(item["alert"])).counts[cell] += 1
        for test in item.get("ml_test_score") or ():
            tests.setdefault(test, Row(test)).counts[cell] += 1
    return Matrix(list(alerts.values()), [tests[k] for k in sorted(tests)])


def matrix_of(reports: Sequence[RunReport]) -> Matrix:
    return compute_matrix(c for r in reports for c in r.summary.get("classified") or [])


def _rendered(
    reports: Sequence[RunReport], heading: str, table: Callable[[str, list[Row]], str], sep: str
) -> str:
    """``heading`` and a table per kind of row (alerts, ML Test Score tests), joined by
    ``sep``; "" when no run classified an alert."""
    matrix = matrix_of(reports)
    if not matrix:
        return ""
    tables = [("alert", matrix.alerts), ("ML Test Score test", matrix.tests)]
    return sep.join([heading, *(table(what, rows) for what, rows in tables)])


def render_matrix_markdown(reports: Sequence[RunReport]) -> str:
    return _rendered(reports, "**Silent-failure matrix** (runs per cell)", _markdown_table, "\n\n")


def _markdown_table(what: str, rows: list[Row]) -> str:
    lines = [f"| {what} | " + " | ".join(CELLS) + " |", "|---" * (len(CELLS) + 1) + "|"]
    lines += [f"| {r.name} | " + " | ".join(str(r.counts[c]) for c in CELLS) + " |" for r in rows]
    return "\n".join(lines)


def render_matrix_html(reports: Sequence[RunReport]) -> str:
    return _rendered(reports, "<h2>Silent-failure matrix</h2>", _html_table, "")


def _html_table(what: str, rows: list[Row]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in (what, *CELLS))
    body = "".join(
        f"<tr><td>{escape(r.name)}</td>"
        + "".join(f"<td>{r.counts[c]}</td>" for c in CELLS)
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def console_lines(classified: Iterable[dict[str, Any]]) -> list[str]:
    """One line per alert of one run, for the end of the console output."""
    return [f"    {c['alert']}: {c['cell'].upper()}" for c in classified]
