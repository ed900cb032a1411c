from __future__ import annotations

from chaosml.reporting.coverage import compute_coverage, judge, render_coverage_text
from chaosml.reporting.journal_reader import RunReport


def test_each_test_is_proved_failed_or_not_covered(
    passed: RunReport, deviated: RunReport, refused: RunReport
) -> None:
    coverage = compute_coverage([passed, deviated, refused])
    by_test = {t.test: t for t in coverage.tests}
    assert by_test["M6"].state == "proved"
    assert [e.title for e in by_test["M6"].proved_by] == [passed.title]
    assert [e.title for e in by_test["M6"].failed_by] == [refused.title]
    assert by_test["M2"].state == "failed"
    assert coverage.uncovered == ["M1", "M3", "M4", "M5", "M7"]
    assert coverage.proved == 1


def test_judge_names_what_was_not_proved(deviated: RunReport, refused: RunReport) -> None:
    assert judge(deviated).reason == "not proved: expect alert FeatureNaN"
    assert judge(refused).reason == "run refused: no alert checked"


def test_text_table_has_seven_rows(passed: RunReport) -> None:
    text = render_coverage_text(compute_coverage([passed]))
    assert text.splitlines()[0] == "ML Test Score monitoring coverage: 1/7 proved"
    assert len(text.splitlines()) == 8
