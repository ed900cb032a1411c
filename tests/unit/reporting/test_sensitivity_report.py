"""A search journal rendered: `chaosml report search.jsonl` prints the trial table and writes an
HTML page with the SVG plot (a dot per trial, the bracket shaded); the silent-failure matrix
of runs in Markdown and HTML."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chaosml.cli.app import app
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.matrix import render_matrix_html, render_matrix_markdown

START = {
    "event": "sensitivity.start",
    "search_id": "s1",
    "title": "latency search",
    "alert": "HighP99Latency",
    "param": "latency",
    "low": 0.02,
    "high": 0.6,
    "scale": "linear",
}


def trial(index: int, value: float, fired: bool) -> dict[str, object]:
    return {
        "event": "sensitivity.trial",
        "search_id": "s1",
        "index": index,
        "value": value,
        "fired": fired,
        "time_to_detect_s": 1.5 if fired else None,
        "status": "completed" if fired else "deviated",
        "exit_code": 0 if fired else 1,
        "trial_run_id": f"r{index}",
        "duration_s": 14.0,
        "classified": [],
    }


RESULT = {
    "event": "sensitivity.result",
    "search_id": "s1",
    "low_fires": 0.31,
    "high_silent": 0.165,
    "trials": 3,
    "duration_s": 45.0,
    "alert": "HighP99Latency",
    "message": "found: HighP99Latency fires from latency = 0.31, stays silent at 0.165",
}


def journal(tmp_path: Path) -> Path:
    path = tmp_path / "search.jsonl"
    events = [START, trial(0, 0.6, True), trial(1, 0.02, False), trial(2, 0.31, True), RESULT]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    return path


def test_report_prints_the_trial_table_of_a_search(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(journal(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "# Sensitivity of HighP99Latency to latency" in result.output
    assert "| 1 | 0.02 | no | - | deviated (1) | r1 | 14.0s |" in result.output
    assert "found: HighP99Latency fires from latency = 0.31" in result.output


def test_the_html_report_has_a_dot_per_trial_and_the_bracket(tmp_path: Path) -> None:
    html = tmp_path / "search.html"
    result = CliRunner().invoke(app, ["report", str(journal(tmp_path)), "--html", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert page.count("<circle") == 3 and "<title>boundary</title>" in page
    assert "trial 2: 0.31 fired, detected in 1.5s" in page


def run_with(cells: list[tuple[str, str]], tests: list[str]) -> RunReport:
    classified = [{"alert": a, "cell": c, "ml_test_score": tests} for a, c in cells]
    return RunReport(run_id="r", title="t", summary={"classified": classified})


def test_the_matrix_counts_runs_per_alert_and_per_ml_test_score_test() -> None:
    runs = [
        run_with(
            [("TrainingServingSkew", "silent failure"), ("InvalidFeatureRateHigh", "caught")],
            ["M3", "M2"],
        ),
        run_with([("TrainingServingSkew", "caught")], ["M3"]),
        run_with([("HighP99Latency", "benign")], ["M6"]),
    ]
    text = render_matrix_markdown(runs)
    assert "| alert | caught | silent failure | noisy alert | benign |" in text
    assert "| TrainingServingSkew | 1 | 1 | 0 | 0 |" in text
    assert "| M3 | 2 | 1 | 0 | 0 |" in text and "| M6 | 0 | 0 | 0 | 1 |" in text
    assert "<h2>Silent-failure matrix</h2>" in render_matrix_html(runs)


def test_runs_without_classification_show_no_matrix() -> None:
    assert render_matrix_markdown([RunReport(run_id="r", title="t")]) == ""
