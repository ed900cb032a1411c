from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaosml.errors import InputError
from chaosml.journal.parse import parse_event
from chaosml.reporting.journal_reader import RunReport, read_journal, summarize


def test_run_info_and_verdict(passed: RunReport) -> None:
    assert passed.run_id == "20261129T074500Z-aa01"
    assert passed.title == "Killing the model server fires ModelServerDown"
    assert passed.environment == "staging"
    assert passed.status == "completed"
    assert passed.exit_code == 0
    assert passed.ml_test_score == ["M6"]


def test_phases_cover_the_run_in_order(passed: RunReport) -> None:
    names = [p.name for p in passed.phases]
    assert names == ["blast-radius", "steady-state-before", "method", "rollback", "recovery"]
    assert passed.phases[-1].end == pytest.approx(15.0)
    assert all(p.start <= p.end for p in passed.phases)


def test_fault_windows_from_applied_to_reverted(passed: RunReport) -> None:
    windows = {f.undo_id: (f.start, f.end, f.reverted_by) for f in passed.faults}
    assert windows == {"u1": (1.2, 9.7, "rollback"), "u2": (4.1, 8.1, "duration")}
    assert passed.pending == []


def test_alert_times_on_the_run_clock(passed: RunReport) -> None:
    (alert,) = passed.alerts
    assert alert.fired and alert.resolved
    assert alert.fired_at == pytest.approx(2.1, abs=1e-3)  # from activeAt, not when seen
    assert alert.resolved_at == pytest.approx(11.1, abs=1e-3)
    assert (alert.time_to_detect_s, alert.time_to_resolve_s) == (0.9, 1.4)


def test_timeline_keeps_failed_reads_as_gaps(passed: RunReport) -> None:
    rps = passed.timeline["requests per second"]
    gaps = [p for p in rps if p.value is None]
    assert len(rps) == 8 and len(gaps) == 1
    assert gaps[0].error == "cannot reach http://127.0.0.1:9090"


def test_expectations_and_score(deviated: RunReport) -> None:
    assert len(deviated.expectations) == 5
    assert deviated.expectations_met == 3  # a tolerated failure counts as met
    assert deviated.score == pytest.approx(0.6)


def test_score_computed_when_the_summary_has_none(deviated: RunReport) -> None:
    deviated.summary = {}
    assert deviated.score == pytest.approx(3 / 5)


def test_alert_that_never_fired_comes_from_the_summary(deviated: RunReport) -> None:
    (alert,) = deviated.alerts
    assert alert.name == "FeatureNaN" and not alert.fired


def test_refused_run_has_no_expectations(refused: RunReport) -> None:
    assert refused.status == "refused" and refused.exit_code == 2
    assert refused.expectations == [] and refused.score is None
    assert "min_matches" in refused.reason


def test_killed_runner_reads_as_incomplete_with_pending_undo(killed: RunReport) -> None:
    assert killed.status == "incomplete" and killed.exit_code is None
    assert [f.undo_id for f in killed.pending] == ["u1"]
    assert killed.faults[0].end is None


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read journal"):
        read_journal(tmp_path / "nope.jsonl")


def test_not_a_journal_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"event": "phase", "name": "method"}) + "\n")
    with pytest.raises(InputError, match=r"does not begin with run\.start"):
        read_journal(path)


def test_garbage_in_the_middle_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(
        '{"event": "run.start", "run_id": "r", "mono": 0, "wall": 1}\nnot json\n{"event": "x"}\n'
    )
    with pytest.raises(InputError, match=":2: not a JSON journal event"):
        read_journal(path)


def test_unknown_events_are_ignored() -> None:
    raw = [{"event": "run.start", "run_id": "r", "mono": 0, "wall": 5}, {"event": "future.x"}]
    report = summarize([parse_event(e) for e in raw])
    assert report.status == "incomplete"


def test_a_journal_with_two_appended_runs_reads_as_two_runs(tmp_path: Path) -> None:
    from chaosml.reporting.journal_reader import read_runs

    path = tmp_path / "x.jsonl"
    lines = [
        {"event": "run.start", "run_id": "a", "mono": 0, "wall": 1, "title": "first"},
        {"event": "run.end", "run_id": "a", "status": "completed", "summary": {}},
        {"event": "run.start", "run_id": "b", "mono": 0, "wall": 9, "title": "second"},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    first, second = read_runs(path)
    assert (first.title, first.status) == ("first", "completed")
    assert (second.title, second.status) == ("second", "incomplete")
    assert read_journal(path).run_id == "b"


def test_an_event_of_a_run_never_started_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    lines = [{"event": "run.start", "run_id": "a"}, {"event": "phase", "run_id": "b"}]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    with pytest.raises(InputError, match=":2: an event of run b"):
        read_journal(path)


def test_the_writer_refuses_a_used_journal_and_cuts_a_torn_line_when_appending(
    tmp_path: Path,
) -> None:
    from chaosml.journal.writer import JournalWriter
    from chaosml.redaction import Redactor

    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"event": "run.start", "run_id": "a"}) + '\n{"event": "pha')
    with pytest.raises(InputError, match="already holds a journal"):
        JournalWriter(path, "b", Redactor())
    writer = JournalWriter(path, "a", Redactor(), append=True)
    writer.emit("phase", name="rollback")
    writer.close()
    assert writer.torn is not None and writer.torn.size == len('{"event": "pha')
    assert [e["event"] for e in read_runs_events(path)] == ["run.start", "phase"]


def read_runs_events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]
