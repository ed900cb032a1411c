from __future__ import annotations

from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.markdown import MAX_CHARS, render_markdown


def test_single_run_headline_and_alert_times(passed: RunReport) -> None:
    text = render_markdown([passed])
    assert text.startswith("### chaosml: 1/1 experiment held")
    assert "ModelServerDown: 0.9s / 1.4s" in text
    assert "All expectations met." in text
    assert "ML Test Score" not in text


def test_drill_lists_failures_and_coverage(
    passed: RunReport, deviated: RunReport, refused: RunReport
) -> None:
    text = render_markdown([passed, deviated, refused])
    assert "1/3 experiments held" in text
    assert "failed: **expect alert FeatureNaN** (method)" in text
    assert "tolerated: **latency ok (tolerated)**" in text
    assert "FeatureNaN: **did not fire**" in text
    assert "ML Test Score monitoring coverage: 1/7 proved" in text
    assert "| M6 | proved |" in text


def test_pending_undo_is_called_out(killed: RunReport) -> None:
    assert "undo pending: `u1` run kill -CONT 99" in render_markdown([killed])


def test_pipes_in_names_do_not_break_tables(passed: RunReport) -> None:
    passed.title = "a | b"
    assert "a \\| b" in render_markdown([passed])


def test_fits_a_pull_request_comment(passed: RunReport) -> None:
    assert len(render_markdown([passed] * 2000)) <= MAX_CHARS
