"""Journals into history records (chaosml.history.journals): what counts as a tested alert, the
classification cells, and a bad ``sensitivity.result`` named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.errors import InputError
from chaosml.history.journals import read_history
from chaosml.history.records import AlertResult, Classification
from tests.fixtures.history_journals import T0, write_run, write_search


def test_a_run_records_its_alerts_and_cells(tmp_path: Path) -> None:
    cells = {"A": "caught", "B": "benign", "C": "not-a-cell"}
    path = write_run(tmp_path / "r.jsonl", "r1", at=T0, alerts={"A": 2.5, "B": None}, cells=cells)
    [run] = read_history(path).runs
    assert run.run_id == "r1" and run.started_at == pytest.approx(T0)
    assert run.alerts == (AlertResult("A", True, True, 2.5), AlertResult("B", False, True, None))
    assert run.classifications == (Classification("A", "caught"), Classification("B", "benign"))
    assert run.ml_test_score == ["M6"]


def test_a_run_that_never_reached_its_verdict_tested_no_alert(tmp_path: Path) -> None:
    path = write_run(tmp_path / "r.jsonl", "r1", at=T0, alerts={"A": None}, status="not-steady")
    [run] = read_history(path).runs
    assert run.alerts == (AlertResult("A", False, False, None),)


def test_a_sensitivity_summary_journal(tmp_path: Path) -> None:
    path = write_search(tmp_path / "s.jsonl", "s1", at=T0, low=4.0)
    found = read_history(path)
    assert found.runs == []
    [search] = found.searches
    assert (search.alert, search.param, search.low_fires, search.high_silent) == (
        "NaNFeatures",
        "percent",
        4.0,
        2.0,
    )


def test_a_bad_sensitivity_field_names_file_and_line(tmp_path: Path) -> None:
    path = write_search(tmp_path / "s.jsonl", "s1", at=T0, low=4.0)
    path.write_text(path.read_text().replace('"trials": 9', '"trials": "nine"'))
    with pytest.raises(InputError, match=r"s\.jsonl:1: 'sensitivity.result' field 'trials'"):
        read_history(path)


def test_a_search_journal_may_carry_events_of_its_own(tmp_path: Path) -> None:
    path = write_search(tmp_path / "s.jsonl", "s1", at=T0, low=4.0)
    with path.open("a") as f:
        f.write(
            '{"event": "sensitivity.trial", "seq": 1, "run_id": "s1", "search_id": "s1", '
            '"index": 0, "value": 2, "fired": false}\n'
        )
    [search] = read_history(path).searches
    assert search.search_id == "s1"


def test_run_events_without_a_run_start_are_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"event": "phase", "name": "method"}\n')
    with pytest.raises(InputError, match=r"j\.jsonl:1: not a chaosml journal: no run.start"):
        read_history(path)
