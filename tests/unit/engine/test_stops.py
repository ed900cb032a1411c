"""Signals and the halt switch after the method, through the shipped fakes (docs/signals.md).

The signal is sent to this very process by an observer when the run enters the phase, so it
always lands in that phase.
"""

from __future__ import annotations

import json
import os
import signal
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import RunOutcome, Status
from chaosml.engine.signals import ROUTER
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeRegistry, FakeWorld

EXPERIMENT = """
version: 1
title: stops
steady_state:
  - {name: steady, scripted: {key: s, values: [1, 0]}, expect: {equals: 1}}
method:
  - fault: fake.fault
    id: a
  - probe: {name: p, scripted: {key: p, values: [1]}, expect: {equals: 1}}
recovery: {within: 60s, every: 1s}
"""
Event = dict[str, Any]
_REGISTRY: list[FakeRegistry] = []  # this test's fakes (the conftest's ``fakes``)


@pytest.fixture(autouse=True)
def _this_tests_fakes(fakes: FakeRegistry) -> Iterator[None]:
    _REGISTRY[:] = [fakes]
    yield
    _REGISTRY.clear()


def world() -> FakeWorld:
    """What this test's fake drivers did."""
    return _REGISTRY[0].world


def _run(
    tmp_path: Path, on_event: Callable[[Event], None], experiment: str = EXPERIMENT
) -> tuple[RunOutcome, list[Event]]:
    registry = _REGISTRY[0]
    loaded = load_text(textwrap.dedent(experiment), "exp.yaml", registry=registry)
    journal = tmp_path / "journal.jsonl"
    options = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT")
    outcome = run_experiment(
        loaded, options, observers=[on_event], registry=registry, clock=FakeClock(20.0)
    )
    return outcome, [json.loads(line) for line in journal.read_text().splitlines()]


def _when(phase: str, act: Callable[[], None]) -> Callable[[Event], None]:
    def observer(event: Event) -> None:
        if event["event"] == "phase" and event["name"] == phase:
            act()

    return observer


def _kill_self(sig: signal.Signals) -> Callable[[], None]:
    return lambda: os.kill(os.getpid(), sig)


def _phases(events: list[Event]) -> list[str]:
    return [e["name"] for e in events if e["event"] == "phase"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_rollback_lets_the_undos_finish_and_skips_recovery(
    tmp_path: Path, sig: signal.Signals
) -> None:
    outcome, events = _run(tmp_path, _when("rollback", _kill_self(sig)))
    assert outcome.exit_code == ExitCode.INTERRUPTED and outcome.status == Status.INTERRUPTED
    assert world().active == set() and world().log == ["apply a", "undo a"]
    assert "recovery" not in _phases(events)
    stop = next(e for e in events if e["event"] == "run.stop")
    assert stop["phase"] == "rollback" and "undos finish" in stop["effect"]
    end = events[-1]
    assert end["ended_by"] == f"signal:{sig.name}" and end["pending_undos"] == []
    assert end["summary"]["score"] is None and end["summary"]["not_run"] == ["recovery"]
    assert "before the stop: the hypothesis held" in end["reason"]


def test_a_signal_during_recovery_ends_it_at_once(tmp_path: Path) -> None:
    outcome, events = _run(tmp_path, _when("recovery", _kill_self(signal.SIGINT)))
    assert outcome.exit_code == ExitCode.INTERRUPTED
    end = events[-1]
    assert end["event"] == "run.end" and end["summary"]["not_run"] == ["recovery"]
    assert end["duration_s"] < 5  # not the 60 s recovery budget


def test_the_halt_switch_thrown_during_rollback_skips_recovery(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    outcome, events = _run(tmp_path, _when("rollback", lambda: halt.write_text("stop\n")))
    assert outcome.exit_code == ExitCode.ABORTED and outcome.ended_by == "halt"
    assert world().active == set() and "recovery" not in _phases(events)


def test_the_halt_switch_ends_recovery(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    outcome, events = _run(tmp_path, _when("recovery", lambda: halt.write_text("stop\n")))
    assert outcome.exit_code == ExitCode.ABORTED and outcome.ended_by == "halt"
    assert events[-1]["summary"]["score"] is None


def test_a_signal_before_the_run_listens_stops_it_before_anything(tmp_path: Path) -> None:
    with ROUTER.installed(command=False):
        os.kill(os.getpid(), signal.SIGTERM)  # while the files load, say
        outcome, events = _run(tmp_path, lambda event: None)
    assert outcome.exit_code == ExitCode.INTERRUPTED
    assert world().log == [] and _phases(events) == []
    assert events[-1]["summary"]["not_run"] == ["method[0] fake.fault", "method[1] p", "recovery"]


def test_a_signal_in_the_method_lists_what_did_not_run(tmp_path: Path) -> None:
    def on_apply(event: Event) -> None:
        if event["event"] == "fault.applied":
            os.kill(os.getpid(), signal.SIGINT)

    outcome, events = _run(tmp_path, on_apply)
    assert outcome.exit_code == ExitCode.INTERRUPTED and world().active == set()
    summary = events[-1]["summary"]
    assert summary["score"] is None  # the probe, cut short or never started, did not run
    assert "method[1] p" in summary["not_run"] and summary["not_run"][-1] == "recovery"


def test_a_signal_after_run_end_leaves_the_outcome_as_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def on_end(event: Event) -> None:
        if event["event"] == "run.end":
            os.kill(os.getpid(), signal.SIGTERM)

    steady_again = EXPERIMENT.replace("values: [1, 0]", "values: [1]")
    outcome, events = _run(tmp_path, on_end, steady_again)
    assert outcome.exit_code == ExitCode.OK and events[-1]["exit_code"] == 0
    assert not [e for e in events if e["event"] == "run.stop"]
    assert "Exception in callback" not in caplog.text


def test_a_second_signal_with_nothing_left_to_undo_is_not_rollback_incomplete(
    tmp_path: Path,
) -> None:
    def twice() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    no_fault = EXPERIMENT.replace("  - fault: fake.fault\n    id: a\n", "")
    outcome, events = _run(tmp_path, _when("rollback", twice), no_fault)
    assert outcome.exit_code == ExitCode.INTERRUPTED, outcome.reason
    assert events[-1]["pending_undos"] == []


def test_a_second_signal_during_the_undos_leaves_them_pending(tmp_path: Path) -> None:
    def twice() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    outcome, events = _run(tmp_path, _when("rollback", twice))
    assert outcome.exit_code == ExitCode.ROLLBACK_INCOMPLETE
    assert [p["undo_id"].split(".")[-1] for p in events[-1]["pending_undos"]] == ["u1"]
    assert world().active == {"a"}  # the fake fault stays: `chaosml rollback` would undo it


def test_a_guard_abort_still_checks_recovery(tmp_path: Path) -> None:
    guarded = EXPERIMENT.replace("values: [1, 0]", "values: [1]") + (
        "guards:\n  - {name: errors, every: 1s, scripted: {key: g, values: [0.5]}, "
        "expect: {below: 0.2}}\n"
    )
    outcome, events = _run(tmp_path, lambda event: None, guarded)
    assert outcome.exit_code == ExitCode.ABORTED and outcome.ended_by == "guard:errors"
    assert _phases(events)[-1] == "recovery" and world().active == set()
    stop = next(e for e in events if e["event"] == "run.stop")
    assert stop["by"] == "guard:errors" and stop["phase"] == "method"


HOLDING = EXPERIMENT.replace("values: [1, 0]", "values: [1]").replace(
    "recovery: {within: 60s, every: 1s}", "recovery: {within: 60s, every: 1s, hold: 30s}"
)


HOLD_POLLS = 31  # the steady state is read 31 times when the 30 s hold is waited out (1 s apart)


def test_a_signal_during_a_recovery_hold_ends_it_at_once(tmp_path: Path) -> None:
    # the steady state holds, and recovery waits out its 30 s hold: SIGINT ends the wait
    outcome, events = _run(tmp_path, _when("recovery", _kill_self(signal.SIGINT)), HOLDING)
    assert outcome.exit_code == ExitCode.INTERRUPTED
    assert world().active == set()
    end = events[-1]
    assert end["event"] == "run.end" and end["summary"]["not_run"] == ["recovery"]
    assert world().counters["s"] < HOLD_POLLS  # the hold was not waited out


def test_the_halt_switch_ends_a_recovery_hold(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    outcome, events = _run(tmp_path, _when("recovery", lambda: halt.write_text("stop\n")), HOLDING)
    assert outcome.exit_code == ExitCode.ABORTED and outcome.ended_by == "halt"
    assert world().active == set() and world().counters["s"] < HOLD_POLLS
    assert events[-1]["summary"]["score"] is None
