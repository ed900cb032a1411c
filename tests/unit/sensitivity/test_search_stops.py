"""The search through the engine with the shipped fakes: what stops it (the halt switch, a
signal, a trial's tool error) stops it with the faults undone and the search journal closed with
its ``sensitivity.result``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import textwrap
from pathlib import Path
from typing import Any

import pytest

from chaosml.engine.signals import ROUTER
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_text
from chaosml.sensitivity.search import SearchResult, SearchSetup, search
from chaosml.testing import FakeRegistry, VirtualClock, registry_with_fakes

EXP = """
version: 1
title: fake search
method:
  - fault: fake.fault
    id: slow
    apply_seconds: 0
  - expect_alert:
      name: Never
      source: {prometheus: "http://127.0.0.1:9"}
      fires_within: 5s
sensitivity: {step: 0, param: apply_seconds, low: 0.001, high: 0.01, alert: Never}
"""


@pytest.fixture
def fakes() -> FakeRegistry:
    return registry_with_fakes()


def run_search(fakes: FakeRegistry, tmp_path: Path) -> tuple[SearchResult, list[dict[str, Any]]]:
    loaded = load_text(textwrap.dedent(EXP), "exp.yaml", registry=fakes)
    options = RunOptions(
        journal_dir=tmp_path,
        halt_file=tmp_path / "HALT",
        watchdog=False,
        lock_dir=tmp_path / "locks",
    )
    setup = SearchSetup(
        loaded, options, tmp_path / "search", fakes, clock=VirtualClock(), run_clock=VirtualClock()
    )
    result = asyncio.run(search(setup))
    events = [json.loads(x) for x in result.journal.read_text().splitlines()]
    return result, events


def test_the_halt_switch_stops_the_search_before_a_trial_exit_4(
    fakes: FakeRegistry, tmp_path: Path
) -> None:
    (tmp_path / "HALT").write_text("halted by a test\n")
    result, events = run_search(fakes, tmp_path)
    assert result.exit_code == ExitCode.ABORTED
    assert "halt switch" in result.message and "halted by a test" in result.message
    assert list((tmp_path / "search").glob("trial-*.jsonl")) == []  # nothing ran
    assert fakes.world.log == []
    assert [e["event"] for e in events] == ["sensitivity.start", "sensitivity.result"]
    assert events[-1]["outcome"] == "stopped" and events[-1]["exit_code"] == 4


def test_a_signal_before_a_trial_stops_the_search_exit_130(
    fakes: FakeRegistry, tmp_path: Path
) -> None:
    with ROUTER.installed(command=False):
        os.kill(os.getpid(), signal.SIGINT)  # remembered by the router, like a ctrl-c
        result, events = run_search(fakes, tmp_path)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "interrupted by SIGINT" in result.message
    assert fakes.world.log == [] and events[-1]["exit_code"] == 130


def test_a_tool_error_in_a_trial_ends_the_search_exit_5_with_nothing_left_applied(
    fakes: FakeRegistry, tmp_path: Path
) -> None:
    result, events = run_search(fakes, tmp_path)  # the alert source does not answer
    assert result.exit_code == ExitCode.TOOL_ERROR
    assert result.message.startswith("search stopped: the trial at 0.01 ended failed")
    assert fakes.world.active == set()
    assert "apply slow" not in fakes.world.log or "undo slow" in fakes.world.log
    [trial] = (tmp_path / "search").glob("trial-*.jsonl")
    run_end = json.loads(trial.read_text().splitlines()[-1])
    assert run_end["event"] == "run.end" and run_end["exit_code"] == 5
    result_event = events[-1]
    assert result_event["event"] == "sensitivity.result"
    assert {
        "search_id",
        "title",
        "alert",
        "param",
        "scale",
        "low_fires",
        "high_silent",
        "uncertainty",
        "trials",
        "duration_s",
        "started_at",
    } <= set(result_event)


NEVER_STEADY = EXP.replace(
    "method:",
    "steady_state:\n  - {name: ready, scripted: {key: ready, values: [0]}, expect: {equals: 1}}\nmethod:",
).replace("alert: Never}", "alert: Never, settle: 5s}")


def test_a_steady_state_that_never_holds_ends_the_search_exit_3_after_settle(
    fakes: FakeRegistry, tmp_path: Path
) -> None:
    loaded = load_text(textwrap.dedent(NEVER_STEADY), "exp.yaml", registry=fakes)
    options = RunOptions(
        journal_dir=tmp_path, halt_file=tmp_path / "HALT", watchdog=False, lock_dir=tmp_path / "l"
    )
    clock = VirtualClock()
    setup = SearchSetup(loaded, options, tmp_path / "search", fakes, clock=clock)
    setup.run_clock = VirtualClock()
    result = asyncio.run(search(setup))
    assert result.exit_code == ExitCode.NOT_STEADY
    assert "did not hold within settle 5s" in result.message
    attempts = sorted((tmp_path / "search").glob("trial-*.jsonl"))
    assert len(attempts) == 4 and clock.monotonic() == 6.0  # tried at 0, 2, 4 and 6 s
    assert result.trials == [] and fakes.world.log == []  # nothing was ever injected
