"""Time to detect as every report shows it: ± uncertainty above 50 ms, or not proven."""

from __future__ import annotations

import pytest

from chaosml.journal.events import AlertFired, ClockOffset
from chaosml.reporting.alert_lines import alert_fired_line, clock_offset_line
from chaosml.reporting.detection import attribution_lines, time_to_detect_text
from chaosml.reporting.journal_reader import AlertRecord


@pytest.mark.parametrize(
    ("seconds", "uncertainty", "proven", "shown"),
    [
        (1.034, 0.0012, True, "1.03s"),
        (1.034, 0.05, True, "1.03s"),
        (1.034, 0.126, True, "1.03s ± 0.13s"),
        (None, None, False, "detection NOT PROVEN (already active before the fault)"),
        (None, None, True, "unknown"),
    ],
)
def test_time_to_detect_text(
    seconds: float | None, uncertainty: float | None, proven: bool, shown: str
) -> None:
    assert time_to_detect_text(seconds, uncertainty, proven) == shown


def test_the_console_names_instances_that_did_not_count() -> None:
    text, _ = alert_fired_line(
        AlertFired(
            name="PairDown",
            state="firing",
            time_to_detect_s=1.2,
            time_to_detect_uncertainty_s=0.2,
            proven=True,
            not_counted=[{"labels": {"instance": "b:1"}, "why": "on another target (...)"}],
        )
    )
    assert "detected 1.20s ± 0.20s after the fault" in text
    assert "not counted: {instance='b:1'} on another target" in text


def test_the_console_shows_a_skew_warning() -> None:
    text, style = clock_offset_line(
        ClockOffset(source="prometheus", url="http://p", warning="the clock ... NTP")
    )
    assert text == "⚠ WARNING: the clock ... NTP" and style == "bold yellow"


def test_the_markdown_report_names_the_instance_that_counted_and_the_others() -> None:
    alert = AlertRecord(
        "PairDown",
        labels={"alertname": "PairDown", "instance": "a:1"},
        fired_at=3.0,
        time_to_detect_s=1.2,
        proven=True,
        not_counted=[{"labels": {"instance": "b:1"}, "why": "on another target (...)"}],
    )
    assert attribution_lines([alert, AlertRecord("Silent")]) == [
        "",
        "- alert **PairDown**: counted {instance='a:1'} — 1.20s",
        "  - not counted: {instance='b:1'} — on another target (...)",
    ]
