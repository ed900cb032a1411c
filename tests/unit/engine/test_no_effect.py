"""A fault whose evidence shows no effect fails the run (exit 5) unless the step allows it."""

from __future__ import annotations

import json
from pathlib import Path

from chaosml.contract.context import DriverContext
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import Status
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeFault, FakeWorld, VirtualClock, registry_with_fakes
from tests.fixtures.http_servers import QuietHandler, serving
from tests.unit.engine.conftest import RunFn, kinds

HEAD = """
version: 1
title: t
"""


def test_a_fault_with_no_effect_fails_the_run_with_its_reason(run: RunFn, world: FakeWorld) -> None:
    outcome, events = run(HEAD + "method:\n  - fault: fake.fault\n    effect: false\n")
    assert outcome.status == Status.FAILED and outcome.exit_code == ExitCode.TOOL_ERROR
    assert outcome.reason == (
        "the fault fake.fault had no effect: 0 changes: nothing was listening"
    )
    assert outcome.ended_by == "no-effect"
    evidence = kinds(events, "fault.evidence")
    assert [(e["undo_id"].split(".")[-1], e["effect"], e["when"]) for e in evidence] == [
        ("u1", False, "undo")
    ]
    assert world.active == set()  # undone all the same


def test_allow_no_effect_lets_the_run_complete(run: RunFn) -> None:
    outcome, events = run(
        HEAD + "method:\n  - fault: fake.fault\n    effect: false\n    allow_no_effect: true\n"
    )
    assert outcome.status == Status.COMPLETED and outcome.exit_code == ExitCode.OK
    assert kinds(events, "fault.evidence")[0]["effect"] is False


def test_a_fault_with_effect_or_without_evidence_completes(run: RunFn) -> None:
    outcome, _ = run(HEAD + "method:\n  - fault: fake.fault\n    effect: true\n")
    assert outcome.exit_code == ExitCode.OK
    outcome, events = run(HEAD + "method:\n  - fault: fake.fault\n")
    assert outcome.exit_code == ExitCode.OK and not kinds(events, "fault.evidence")


def test_allow_no_effect_must_be_a_boolean_and_unknown_keys_are_refused() -> None:
    registry = registry_with_fakes()
    bad = HEAD + "method:\n  - fault: fake.fault\n    allow_no_effect: maybe\n"
    typo = HEAD + "method:\n  - fault: fake.fault\n    allow_no_efect: true\n"
    for text in (bad, typo):
        try:
            load_text(text, "exp.yaml", registry=registry)
        except Exception as exc:
            assert "allow_no_ef" in str(exc) and "exp.yaml" in str(exc)
        else:
            raise AssertionError(f"accepted: {text}")


class NoAlerts(QuietHandler):
    def do_GET(self) -> None:
        self.reply_json(200, {"status": "success", "data": {"alerts": []}})


def test_an_alert_after_a_no_effect_fault_is_not_tested(run: RunFn) -> None:
    with serving(NoAlerts) as prometheus:
        outcome, events = run(
            HEAD
            + f"""
method:
  - fault: fake.fault
    effect: false
  - expect_alert:
      name: NaNFeatures
      source: {{prometheus: "{prometheus}"}}
      fires_within: 1s
""",
        )
    assert outcome.exit_code == ExitCode.TOOL_ERROR
    assert "had no effect" in outcome.reason and "did not fire" not in outcome.reason
    alert = kinds(events, "run.end")[0]["summary"]["alerts"][0]
    assert alert["name"] == "NaNFeatures" and alert["tested"] is False


def test_an_untested_alert_after_an_allowed_no_effect_fault_is_no_deviation(run: RunFn) -> None:
    with serving(NoAlerts) as prometheus:
        outcome, events = run(
            HEAD
            + f"""
method:
  - fault: fake.fault
    effect: false
    allow_no_effect: true
  - expect_alert:
      name: NaNFeatures
      source: {{prometheus: "{prometheus}"}}
      fires_within: 1s
""",
        )
    assert outcome.status == Status.COMPLETED and outcome.exit_code == ExitCode.OK
    assert "not tested" in outcome.reason and "did not fire" not in outcome.reason
    alert = kinds(events, "run.end")[0]["summary"]["alerts"][0]
    assert alert["tested"] is False


class BrokenEvidence(FakeFault):
    """A plugin whose evidence raises: the run must not break on it."""

    kind = "broken.evidence"

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        raise RuntimeError("stats endpoint exploded")


def test_evidence_that_cannot_be_read_is_unknown_and_passes_no_verdict(tmp_path: Path) -> None:
    registry = registry_with_fakes()
    registry.register(BrokenEvidence, "tests:BrokenEvidence")
    loaded = load_text(HEAD + "method:\n  - fault: broken.evidence\n", "x.yaml", registry=registry)
    journal = tmp_path / "j.jsonl"
    options = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT")
    outcome = run_experiment(loaded, options, registry=registry, clock=FakeClock(50))
    assert outcome.exit_code == ExitCode.OK and registry.world.active == set()
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    evidence = kinds(events, "fault.evidence")[0]
    assert evidence["effect"] is None
    assert evidence["summary"] == "unknown: RuntimeError: stats endpoint exploded"


def test_a_feed_file_corruption_that_matched_nothing_ends_5(run: RunFn, tmp_path: Path) -> None:
    feed = tmp_path / "features.jsonl"
    feed.write_text('{"id": 1, "age": 3}\n')
    outcome, events = run(
        HEAD
        + f"""
method:
  - fault: feed.corrupt
    file: {feed}
    mode: nan
    fields: [income]
"""
    )
    assert outcome.exit_code == ExitCode.TOOL_ERROR
    assert outcome.reason == (
        "the fault feed.corrupt had no effect: 0 of 1 records changed (0 bytes rewritten)"
    )
    assert [e["when"] for e in kinds(events, "fault.evidence")] == ["applied"]
    assert feed.read_text() == '{"id": 1, "age": 3}\n'


def test_an_earlier_run_in_an_appended_journal_does_not_judge_this_one(tmp_path: Path) -> None:
    """The verdict is on this run's own evidence: with --append-journal the file also holds an
    earlier run whose fault had no effect (the engine once read the whole file back)."""
    registry = registry_with_fakes()
    journal = tmp_path / "journal.jsonl"
    no_effect = load_text(
        HEAD + "method:\n  - fault: fake.fault\n    effect: false\n", "a.yaml", registry=registry
    )
    with_effect = load_text(
        HEAD + "method:\n  - fault: fake.fault\n    effect: true\n", "b.yaml", registry=registry
    )
    first = run_experiment(
        no_effect,
        RunOptions(journal_path=journal, halt_file=tmp_path / "H"),
        registry=registry,
        clock=VirtualClock(),
    )
    assert first.exit_code == ExitCode.TOOL_ERROR
    options = RunOptions(journal_path=journal, halt_file=tmp_path / "H", append_journal=True)
    second = run_experiment(with_effect, options, registry=registry, clock=VirtualClock())
    assert second.status == Status.COMPLETED and second.exit_code == ExitCode.OK
