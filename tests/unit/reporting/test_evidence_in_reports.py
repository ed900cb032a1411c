"""Evidence beside each fault, and alerts after a no-effect fault shown "not tested"."""

from __future__ import annotations

from typing import Any

from chaosml.journal.parse import parse_event
from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import summarize
from chaosml.reporting.junit import render_junit
from chaosml.reporting.markdown import render_markdown

SUMMARY = "34 responses, 0 JSON, 0 records, 0 changed — 34 were gzip-undecodable"


def events() -> list[dict[str, Any]]:
    return [
        {"event": "run.start", "mono": 0.0, "wall": 100.0, "run_id": "r1", "title": "nan feed"},
        {"event": "fault.undo_registered", "mono": 1.0, "undo_id": "u1", "step": 0,
         "fault": "feed.corrupt", "name": "feed.corrupt",
         "undo": {"kind": "feed.corrupt", "data": {}, "description": "remove"}},
        {"event": "fault.applied", "mono": 1.1, "undo_id": "u1", "step": 0,
         "fault": "feed.corrupt", "name": "feed.corrupt", "description": "corrupt 100%"},
        {"event": "probe.result", "mono": 3.0, "phase": "method", "name": "NaNFeatures",
         "kind": "expect_alert", "step": 1, "ok": False, "reason": "did not fire within 2s"},
        {"event": "fault.evidence", "mono": 4.0, "undo_id": "u1", "step": 0,
         "fault": "feed.corrupt", "when": "undo", "effect": False, "summary": SUMMARY},
        {"event": "fault.reverted", "mono": 4.1, "undo_id": "u1", "ok": True, "by": "rollback"},
        {"event": "run.end", "mono": 5.0, "status": "failed", "exit_code": 5,
         "reason": f"the fault feed.corrupt had no effect: {SUMMARY}", "ended_by": "no-effect",
         "summary": {"alerts": [{"name": "NaNFeatures", "fired": None, "tested": False}]}},
    ]  # fmt: skip


def test_the_report_model_carries_evidence_and_untested_alerts() -> None:
    report = summarize([parse_event(e) for e in events()])
    assert report.faults[0].effect is False and report.faults[0].evidence == SUMMARY
    assert [a.tested for a in report.alerts] == [False]


def test_markdown_html_and_junit_show_no_effect_and_not_tested() -> None:
    report = summarize([parse_event(e) for e in events()])
    markdown = render_markdown([report])
    assert f"fault **feed.corrupt**: no effect — {SUMMARY}" in markdown
    assert "NaNFeatures: not tested (no effect)" in markdown and "did not fire" not in markdown
    html = render_html([report])
    assert "not tested (no effect)" in html and "no effect</span>: 34 responses" in html
    assert "did not fire" not in html
    junit = render_junit([report])
    assert 'skipped message="not tested: the fault before it had no effect"' in junit
    assert "<failure" not in junit
