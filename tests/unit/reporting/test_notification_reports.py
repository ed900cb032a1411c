"""Time to notify (issue 19) beside time to detect in every report and the game-day summary."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from chaosml.exit_codes import ExitCode
from chaosml.gameday.runner import DrillResult, ExperimentOutcome
from chaosml.gameday.summary import render_summary
from chaosml.journal.parse import parse_event
from chaosml.reporting.console import ConsoleObserver
from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.markdown import render_markdown
from tests.unit.reporting.conftest import load

NOTIFIED = {
    "alert": "ModelServerDown",
    "receiver": "ml-oncall",
    "notified": True,
    "time_to_notify_s": 1.716,
    "delivery_observed": True,
    "reason": None,
}
MISSED = {
    "alert": "ModelServerDown",
    "receiver": "ml-oncall",
    "notified": False,
    "time_to_notify_s": None,
    "delivery_observed": True,
    "reason": "no notification of ModelServerDown to ml-oncall within 10s: silenced by silence "
    "s-1 created by alice",
}


def _report(*notifications: dict[str, object]) -> RunReport:
    passed = load("passed")
    return replace(passed, summary={**passed.summary, "notifications": list(notifications)})


def test_markdown_shows_time_to_notify_beside_time_to_detect() -> None:
    text = render_markdown([_report(NOTIFIED)])
    assert "ModelServerDown: 0.9s / " in text and ", notified ml-oncall in 1.72s" in text
    assert "- alert ModelServerDown → ml-oncall: notified ml-oncall in 1.72s" in text


def test_html_has_a_notifications_table_with_the_reason() -> None:
    html = render_html([_report(NOTIFIED, MISSED)])
    assert "<h3>Notifications</h3>" in html
    assert "<td>1.72s</td>" in html and "silenced by silence s-1 created by alice" in html


def test_the_game_day_summary_lists_each_notification() -> None:
    report = _report(MISSED)
    outcome = ExperimentOutcome(0, Path("a.yaml"), report.title, ExitCode.OK, Path("a.j"), report)
    text = render_summary(DrillResult("Drill", "gd-1", "dev", [outcome], duration_s=3.0))
    assert "time to detect: ModelServerDown 0.90s" in text
    assert "alert ModelServerDown → ml-oncall: NOT NOTIFIED: no notification of" in text


def test_the_console_end_line_shows_time_to_notify_and_routing_only() -> None:
    view = {**NOTIFIED, "delivery_observed": False}
    end = {
        "event": "run.end",
        "mono": 9.0,
        "status": "completed",
        "exit_code": 0,
        "reason": "the hypothesis held",
        "summary": {
            "alerts": [
                {
                    "name": "ModelServerDown",
                    "fired": True,
                    "time_to_detect_s": 0.9,
                    "time_to_notify_s": 1.716,
                }
            ],
            "notifications": [view],
        },
    }
    rendered = ConsoleObserver(color=False).render(parse_event(end))
    assert rendered is not None
    text = rendered[0]
    assert "time to detect 0.90s, time to notify 1.72s" in text
    assert "routed to ml-oncall in 1.72s (delivery not observed)" in text
