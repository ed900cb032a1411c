"""`recovery.hold`: a steady state that flaps after the rollback has not recovered."""

from __future__ import annotations

from chaosml.engine.outcome import Status
from chaosml.exit_codes import ExitCode
from chaosml.testing import FakeWorld
from tests.unit.engine.conftest import RunFn, kinds

EXPERIMENT = """
version: 1
title: t
steady_state:
  - {name: quiet, scripted: {key: alerts, values: %s}, expect: {equals: 0}}
method:
  - fault: fake.fault
recovery: {within: %s, every: 1s, hold: %s}
"""


def _recovery_results(events: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in kinds(events, "probe.result") if e.get("phase") == "recovery"]


def test_without_a_hold_the_first_quiet_poll_recovers(run: RunFn, world: FakeWorld) -> None:
    outcome, _ = run(EXPERIMENT % ([0, 0, 1, 0], "30s", "0s"))
    assert outcome.exit_code == ExitCode.OK
    assert world.counters["alerts"] == 2  # before the method, and one recovery poll


def test_a_hold_waits_out_a_flap(run: RunFn, world: FakeWorld) -> None:
    # recovery polls: quiet, ALERT (the hold starts again), quiet, quiet, quiet: held 2 s
    outcome, events = run(EXPERIMENT % ([0, 0, 1, 0], "30s", "2s"))
    assert outcome.status == Status.COMPLETED and outcome.exit_code == ExitCode.OK
    assert world.counters["alerts"] == 1 + 5
    results = _recovery_results(events)
    assert len(results) == 1 and results[0]["ok"] is True  # the round that decided


def test_a_steady_state_that_keeps_flapping_has_not_recovered(run: RunFn) -> None:
    # polls at 0..5 s: quiet, alert, quiet, alert, quiet, quiet: quiet for 1 s at the deadline
    outcome, events = run(EXPERIMENT % ([0, 0, 1, 0, 1, 0], "6s", "3s"))
    assert outcome.exit_code == ExitCode.DEVIATED
    assert "held for only 1.0s of the 3s hold" in outcome.reason
    assert "it broke before: 'quiet': 1 does not equal 0" in outcome.reason
    assert _recovery_results(events)[-1]["ok"] is True  # it holds now, not long enough


def test_a_steady_state_that_never_returns_names_its_probe(run: RunFn) -> None:
    outcome, _ = run(EXPERIMENT % ([0, 1], "4s", "2s"))
    assert outcome.exit_code == ExitCode.DEVIATED
    assert "'quiet' did not recover" in outcome.reason
