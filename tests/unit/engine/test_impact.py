"""The impact phase through the shipped fakes: harm with no alert watched is a silent failure
(exit 1, one line), no harm is benign; the faults are still in place while impact is read."""

from __future__ import annotations

from chaosml.exit_codes import ExitCode
from chaosml.sensitivity.matrix import NO_ALERT, Classified, classify, one_line, violations
from chaosml.testing import FakeWorld
from tests.unit.engine.conftest import RunFn, kinds

EXP = """
version: 1
title: t
tags: [ml-test-score:M7]
method:
  - fault: fake.fault
    id: corrupt
impact:
  - name: canary accuracy
    scripted: {key: acc, values: [ACCURACY]}
    expect: {above: 0.7}
"""


def test_harm_without_an_alert_is_a_silent_failure_and_exits_1(
    run: RunFn, world: FakeWorld
) -> None:
    outcome, events = run(EXP.replace("ACCURACY", "0.4"))
    assert outcome.exit_code == ExitCode.DEVIATED
    assert outcome.reason.startswith("silent failure: users were harmed (canary accuracy:")
    assert "\n" not in outcome.reason.split(";")[0]
    [row] = kinds(events, "alert.classified")
    assert (row["alert"], row["cell"], row["harm"], row["ml_test_score"]) == (
        NO_ALERT,
        "silent failure",
        True,
        ["M7"],
    )
    assert outcome.summary["classified"][0]["cell"] == "silent failure"
    assert world.active == set()  # rolled back all the same


def test_impact_is_read_while_the_fault_is_in_place(run: RunFn) -> None:
    _, events = run(EXP.replace("ACCURACY", "0.9"))
    names = [e["event"] for e in events]
    assert (
        names.index("fault.applied") < names.index("impact.result") < names.index("fault.reverted")
    )
    [impact] = kinds(events, "impact.result")
    assert impact["harm"] is False and impact["probes"][0]["name"] == "canary accuracy"


def test_no_harm_and_no_alert_is_benign_and_the_run_passes(run: RunFn) -> None:
    outcome, events = run(EXP.replace("ACCURACY", "0.9"))
    assert outcome.exit_code == ExitCode.OK
    assert [e["cell"] for e in kinds(events, "alert.classified")] == ["benign"]


def test_a_run_without_impact_or_expect_no_alert_classifies_nothing(run: RunFn) -> None:
    outcome, events = run("version: 1\ntitle: t\nmethod:\n  - fault: fake.fault\n")
    assert outcome.exit_code == ExitCode.OK
    assert not kinds(events, "alert.classified") and not kinds(events, "impact.result")


def test_the_four_cells() -> None:
    assert [
        classify(h, f) for h, f in ((True, True), (True, False), (False, True), (False, False))
    ] == [
        "caught",
        "silent failure",
        "noisy alert",
        "benign",
    ]


def test_an_alert_that_must_stay_quiet_and_fires_is_a_violation() -> None:
    noisy = Classified("HighP99Latency", "noisy alert", False, True, "quiet")
    caught = Classified("NaNFeatures", "caught", True, True, "fire")
    assert violations([noisy, caught]) == [
        "HighP99Latency fired though it must stay quiet (noisy alert)"
    ]
    assert one_line([noisy, caught], "x") is None
