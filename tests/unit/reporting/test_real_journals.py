"""The renderers over journals written by a real ``chaosml gameday`` run (recorded by the
drill integration test: a process fault, a real Prometheus alert, a deviation, a refusal)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chaosml.reporting.coverage import compute_coverage
from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import RunReport, read_journal
from chaosml.reporting.junit import render_junit

REAL = Path(__file__).parent / "data" / "real"


@pytest.fixture
def runs() -> list[RunReport]:
    return [read_journal(REAL / f"{n}.jsonl") for n in ("passes", "deviates", "refused")]


def test_statuses_and_alert_times(runs: list[RunReport]) -> None:
    passes, deviates, refused = runs
    assert [r.status for r in runs] == ["completed", "deviated", "refused"]
    assert [r.exit_code for r in runs] == [0, 1, 2]
    (alert,) = passes.alerts
    assert alert.fired and alert.resolved
    assert alert.time_to_detect_s is not None and alert.time_to_resolve_s is not None
    assert passes.faults[0].start is not None and passes.faults[0].end is not None
    assert alert.fired_at is not None and passes.faults[0].start < alert.fired_at
    assert passes.timeline["dependency errors"]
    assert refused.expectations == [] and "not allowed" in refused.reason
    assert deviates.score is not None and deviates.score < 1


def test_junit_cases_match_the_journal(runs: list[RunReport]) -> None:
    suites = ET.fromstring(render_junit(runs)).findall("testsuite")
    for run, suite in zip(runs, suites, strict=True):
        expected = len(run.expectations) + (1 if run.status == "refused" else 0)
        assert len(suite.findall("testcase")) == expected


def test_html_and_coverage(runs: list[RunReport]) -> None:
    page = render_html(runs)
    assert page.count('class="fault-window"') >= 2
    assert compute_coverage(runs).proved == 1
