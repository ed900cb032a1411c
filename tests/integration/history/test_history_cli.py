"""``chaosml history`` and ``chaosml history import`` on SQLite and PostgreSQL (issue 14 B)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.history_journals import DAY, T0, write_run, write_search, write_trend
from tests.integration.history.conftest import Chaosml


def test_the_trend_after_several_runs(chaosml: Chaosml, tmp_path: Path) -> None:
    write_trend(tmp_path / "journals", [1.0, 1.2, 0.9, 1.1, 1.4])
    imported = chaosml("history", "import", "journals")
    assert imported.returncode == 0, imported.stderr
    assert "imported 5 run(s)" in imported.stdout

    shown = chaosml("history")
    assert shown.returncode == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if x.strip().startswith("ModelServerDown"))
    assert "▂▅▁▄█" in line  # the sparkline of 1.0 1.2 0.9 1.1 1.4 (0.9 lowest, 1.4 highest)
    assert "last 1.4s" in line and "median 1.1s" in line and "fired 5/5" in line
    assert "No regression." in shown.stdout

    runs = json.loads(chaosml("history", "--json").stdout)
    assert [r["run_id"] for r in runs] == [f"run-{i:02d}" for i in range(5)]
    first = runs[0]
    assert first["title"] == "Killing the model server fires ModelServerDown"
    assert first["status"] == "completed" and first["exit_code"] == 0
    assert first["started_at"].startswith("2026-09-21T")  # T0 in UTC
    assert first["alerts"]["ModelServerDown"]["time_to_detect_s"] == 1.0
    assert first["tags"] == ["ml-test-score:M6"]


def test_an_alert_that_stops_firing_is_flagged_and_fails_the_job(
    chaosml: Chaosml, tmp_path: Path
) -> None:
    write_trend(tmp_path / "journals", [1.0, 1.1, None])
    assert chaosml("history", "import", "journals").returncode == 0

    shown = chaosml("history", "--fail-on-regression")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "stopped-firing: ModelServerDown fired in 2 earlier run(s)" in shown.stdout
    assert "did not fire in run run-02" in shown.stdout
    assert chaosml("history").returncode == 0  # flagged, but only --fail-on-regression fails

    markdown = chaosml("history", "--format", "markdown").stdout
    assert "**1 regression(s)**" in markdown and "stopped-firing" in markdown
    [flagged] = [r for r in json.loads(chaosml("history", "--json").stdout) if r["regressions"]]
    assert flagged["run_id"] == "run-02" and flagged["alerts"]["ModelServerDown"]["fired"] is False


def test_time_to_detect_above_twice_its_median_is_flagged(chaosml: Chaosml, tmp_path: Path) -> None:
    write_trend(tmp_path / "journals", [1.0, 1.2, 0.9, 1.1, 2.1, 31.0])
    assert chaosml("history", "import", "journals").returncode == 0
    shown = chaosml("history", "--fail-on-regression")
    assert shown.returncode == 1
    assert (
        "slower: ModelServerDown took 31.0s to detect in run run-05, above 2x its median "
        "of 1.1s over the 5 run(s) before" in shown.stdout
    )


def test_time_to_notify_has_its_trend_and_its_regression_flag(
    chaosml: Chaosml, tmp_path: Path
) -> None:
    journals = tmp_path / "journals"
    journals.mkdir()
    for i, ttn in enumerate([1.6, 1.7, 1.5, 1.7, 31.0]):  # the page held back (group_wait 30s)
        write_run(
            journals / f"run-{i:02d}.jsonl",
            f"run-{i:02d}",
            at=T0 + i * DAY,
            alerts={"ModelServerDown": 1.0},
            notified={"ModelServerDown": ttn},
        )
    assert chaosml("history", "import", "journals").returncode == 0
    shown = chaosml("history", "--fail-on-regression")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert (
        "slower-to-notify: ModelServerDown took 31.0s to notify in run run-04, above 2x its "
        "median of 1.6s over the 4 run(s) before" in shown.stdout
    )
    paged = next(x for x in shown.stdout.splitlines() if x.strip().startswith("paged"))
    assert "last 31.0s" in paged and "median 1.7s" in paged
    runs = json.loads(chaosml("history", "--json").stdout)
    assert [r["alerts"]["ModelServerDown"]["time_to_notify_s"] for r in runs] == [
        1.6,
        1.7,
        1.5,
        1.7,
        31.0,
    ]
    assert "time to notify" in chaosml("history", "--format", "markdown").stdout


def test_a_boundary_that_moved_the_wrong_way_is_flagged(chaosml: Chaosml, tmp_path: Path) -> None:
    journals = tmp_path / "journals"
    journals.mkdir()
    write_search(journals / "s1.jsonl", "search-1", at=T0, low=2.0)
    write_search(journals / "s2.jsonl", "search-2", at=T0 + DAY, low=2.2)  # within ± 0.5
    assert chaosml("history", "import", "journals").returncode == 0
    assert chaosml("history", "--fail-on-regression").returncode == 0
    write_search(journals / "s3.jsonl", "search-3", at=T0 + 2 * DAY, low=8.0)
    assert chaosml("history", "import", "journals").returncode == 0

    shown = chaosml("history", "--fail-on-regression")
    assert shown.returncode == 1
    assert "percent (log): 2 → 2.2 → 8  ± 0.5" in shown.stdout
    assert "the smallest value that fires moved from 2.2 to 8" in shown.stdout
    page = chaosml("history", "--format", "html").stdout
    assert (
        "<svg class='timeline'" in page
        and "aria-label='sensitivity boundary of NaNFeatures'" in page
    )
    searches = [o for o in json.loads(chaosml("history", "--json").stdout)]
    assert [s["low_fires"] for s in searches if s["kind"] == "sensitivity"] == [2.0, 2.2, 8.0]


def test_classified_cells_are_stored_and_shown(chaosml: Chaosml, tmp_path: Path) -> None:
    journals = tmp_path / "journals"
    journals.mkdir()
    cells = {"NaNFeatures": "silent_failure", "HighP99Latency": "noisy_alert"}
    write_run(journals / "a.jsonl", "run-a", at=T0, alerts={"HighP99Latency": 2.0}, cells=cells)
    assert chaosml("history", "import", "journals").returncode == 0
    shown = chaosml("history").stdout
    assert "Silent-failure matrix" in shown
    assert "NaNFeatures              silent_failure 1" in shown
    [run] = json.loads(chaosml("history", "--json").stdout)
    assert run["classification"] == cells
    markdown = chaosml("history", "--format", "markdown").stdout
    assert "| NaNFeatures | silent_failure 1 |" in markdown
    assert "<h2>Silent-failure matrix</h2>" in chaosml("history", "--format", "html").stdout


def test_importing_twice_keeps_one_run(chaosml: Chaosml, tmp_path: Path) -> None:
    write_trend(tmp_path / "journals", [1.0, 2.0])
    assert "imported 2 run(s)" in chaosml("history", "import", "journals").stdout
    again = chaosml("history", "import", "journals")
    assert again.returncode == 0
    assert "imported 0 run(s)" in again.stdout and "2 already recorded" in again.stdout
    assert len(json.loads(chaosml("history", "--json").stdout)) == 2


def test_bad_journals_are_reported_with_their_location(chaosml: Chaosml, tmp_path: Path) -> None:
    journals = tmp_path / "journals"
    write_trend(journals, [1.0])
    (journals / "broken.jsonl").write_text('{"event": "run.start", "run_id": "x"}\n{oops\n')
    (journals / "empty.jsonl").write_text("")
    result = chaosml("history", "import", "journals")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not imported: journals/broken.jsonl:2: not a JSON journal event" in result.stderr
    assert "not imported: journals/empty.jsonl is not a chaosml journal" in result.stderr
    assert "imported 1 run(s)" in result.stdout  # the good one all the same


def test_html_has_a_plot_per_alert(chaosml: Chaosml, tmp_path: Path) -> None:
    write_trend(tmp_path / "journals", [1.0, 3.0, None], title="Kill <script>")
    chaosml("history", "import", "journals")
    result = chaosml("history", "--html", "out/history.html")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "history.html").read_text()
    assert page.count("<svg class='timeline'") == 1 and "<polyline" in page
    assert "Kill &lt;script&gt;" in page and "<script>" not in page
    assert "stopped-firing" in page
