from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.svg_timeline import render_timeline

SVG = "{http://www.w3.org/2000/svg}"


def _svg(report: RunReport) -> ET.Element:
    return ET.fromstring(render_timeline(report))


def test_self_contained_no_fetches(passed: RunReport, deviated: RunReport) -> None:
    page = render_html([passed, deviated])
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "@import" not in page


def test_timeline_one_panel_per_metric_with_fault_windows(passed: RunReport) -> None:
    svg = _svg(passed)
    panels = [g.get("data-metric") for g in svg.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert panels == ["p99 latency", "requests per second"]
    windows = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "fault-window"]
    assert len(windows) == 2 * 2  # two faults shaded on each panel
    phases = {r.get("data-phase") for r in svg.iter(f"{SVG}rect") if r.get("class") == "phase"}
    assert {"steady-state-before", "method", "rollback", "recovery"} <= phases


def test_fault_window_spans_applied_to_reverted(passed: RunReport) -> None:
    svg = _svg(passed)
    rects = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "fault-window"]
    first = rects[0]
    x0, width = float(first.get("x", 0)), float(first.get("width", 0))
    plot = 1100 - 70 - 20
    assert x0 == round(70 + plot * 1.2 / 15, 1)
    assert round(width) == round(plot * (9.7 - 1.2) / 15)


def test_alert_marks(passed: RunReport) -> None:
    classes = [g.get("class") for g in _svg(passed).iter(f"{SVG}g")]
    assert classes.count("alert-fired") == 2 and classes.count("alert-resolved") == 2


def test_unreadable_sample_breaks_the_line(passed: RunReport) -> None:
    svg = _svg(passed)
    lines = [p for p in svg.iter(f"{SVG}polyline")]
    assert len(lines) == 1 + 2  # latency: one line; requests: split by the failed read


def test_run_without_metrics_draws_no_chart(refused: RunReport) -> None:
    assert render_timeline(refused) == ""
    page = render_html([refused])
    assert "<svg" not in page
    assert "No metric observed" in page


def test_report_sections(passed: RunReport) -> None:
    page = render_html([passed])
    for text in (
        "completed · exit 0",
        "100% (6/6)",
        "Blast radius",
        "model-server-1",
        "time to detect",
        "0.90s",
        "1.40s",
        "Probe results",
        "Faults and undos",
        "start model-server-1",
        "10m",
    ):
        assert text in page, text


def test_drill_page_has_summary_and_coverage(
    passed: RunReport, deviated: RunReport, refused: RunReport
) -> None:
    page = render_html([passed, deviated, refused])
    assert "Drill summary" in page and "(1/7 proved)" in page
    assert page.count('<section class="run"') == 3


def test_pending_undo_is_loud(killed: RunReport) -> None:
    assert "PENDING — may still be in place" in render_html([killed])


def test_text_is_escaped(passed: RunReport) -> None:
    passed.title = "<script>alert(1)</script>"
    page = render_html([passed])
    assert "<script>" not in page and "&lt;script&gt;" in page
