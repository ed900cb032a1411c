"""A game day's HTML report: the plan's title, duration and exit code at the top, each
experiment's time to detect in the drill summary."""

from __future__ import annotations

import re

from chaosml.reporting.html import DrillHeadline, render_html
from chaosml.reporting.journal_reader import RunReport


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_headline_has_the_plan_title_duration_and_exit_code(
    passed: RunReport, deviated: RunReport
) -> None:
    headline = DrillHeadline("Serving tier drill, weekly", 95.0, 1, "gd-42", "staging")
    page = render_html([passed, deviated], headline=headline)
    assert "<h1>Serving tier drill, weekly</h1>" in page
    top = _text(page.split("<h2>")[0])
    assert "exit 1 · deviated" in top
    assert "2 experiment(s) in 1m35s" in top
    assert "gd-42" in top and "staging" in top


def test_several_journals_without_a_plan_show_total_duration_and_worst_exit(
    passed: RunReport, deviated: RunReport
) -> None:
    top = _text(render_html([passed, deviated]).split("<h2>")[0])
    assert "chaosml drill: 2 runs" in top
    assert "exit 1 · deviated" in top and "in 19.5s" in top


def test_the_drill_summary_shows_time_to_detect(passed: RunReport, deviated: RunReport) -> None:
    page = render_html([passed, deviated])
    summary = _text(page.split("<h2>Drill summary</h2>")[1].split("</table>")[0])
    assert "time to detect" in summary
    assert "ModelServerDown 0.90s" in summary
    assert "FeatureNaN DID NOT FIRE" in summary
