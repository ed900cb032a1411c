"""A fault's undo never runs while its apply() may still be running (issue 12 §2).

The fake's apply sleeps past its step timeout (like a hung SDK call that ignores its deadline and
the run's cancellation), then applies.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from chaosml.engine.outcome import Status
from chaosml.engine.replay import replay
from chaosml.exit_codes import ExitCode
from chaosml.journal.parse import parse_event
from chaosml.reporting.console import ConsoleObserver
from chaosml.testing import FakeRegistry, FakeWorld
from tests.unit.engine.conftest import RunFn, kinds

SLOW = """
version: 1
title: slow apply
{blast_radius}
method:
  - fault: fake.fault
    id: slow
    apply_seconds: {apply_seconds}
    timeout: {timeout}
  - wait: 1m
"""


def _order(events: list[dict[str, Any]]) -> list[str]:
    wanted = {"fault.undo_registered", "fault.applied", "fault.apply_overran", "fault.reverted"}
    return [e["event"] for e in events if e["event"] in wanted]


def _wait_for(world: FakeWorld, entry: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while entry not in world.log:
        assert time.monotonic() < deadline, f"{entry!r} never happened: {world.log}"
        time.sleep(0.02)


def test_an_apply_that_overruns_its_timeout_lands_before_its_undo(
    run: RunFn, world: FakeWorld
) -> None:
    outcome, events = run(SLOW.format(blast_radius="", apply_seconds=1.0, timeout="0.3s"))
    _wait_for(world, "apply slow", within=5.0)  # had the undo not waited, it lands only now
    assert world.active == set()
    assert world.log == ["apply slow", "undo slow"]
    assert outcome.status == Status.FAILED and outcome.exit_code == ExitCode.TOOL_ERROR
    assert "apply fake.fault did not finish within 0.3s" in outcome.reason
    assert _order(events) == ["fault.undo_registered", "fault.apply_overran", "fault.reverted"]
    overran = kinds(events, "fault.apply_overran")[0]
    assert overran["finished"] is True and overran["outcome"] == "applied"
    assert 0.4 <= overran["overran_s"] <= 3.0  # 1.0 s apply, 0.3 s timeout
    assert kinds(events, "fault.reverted")[0]["ok"] is True
    assert outcome.pending_undos == []


def test_an_abort_during_a_slow_apply_waits_for_it_before_the_undo(
    run: RunFn, world: FakeWorld
) -> None:
    # max_duration 2m on a clock 400 times faster: aborted 0.3 s into the 1 s apply
    text = SLOW.format(
        blast_radius="blast_radius: {max_duration: 2m}", apply_seconds=1.0, timeout="5s"
    )
    outcome, events = run(text, speed=400)
    assert outcome.status == Status.ABORTED and outcome.exit_code == ExitCode.ABORTED
    assert world.active == set() and world.log == ["apply slow", "undo slow"]
    overran = kinds(events, "fault.apply_overran")[0]
    assert overran["finished"] is True and overran["overran_s"] == 0.0  # within its timeout
    assert overran["waited_s"] >= 0.3
    assert _order(events)[-2:] == ["fault.apply_overran", "fault.reverted"]


def test_an_apply_still_running_after_the_undo_timeout_ends_the_run_rollback_incomplete(
    run: RunFn, world: FakeWorld, fakes: FakeRegistry, tmp_path: Path
) -> None:
    outcome, events = run(
        SLOW.format(blast_radius="", apply_seconds=2.0, timeout="0.2s"), undo_timeout=0.5
    )
    assert outcome.status == Status.ROLLBACK_INCOMPLETE
    assert outcome.exit_code == ExitCode.ROLLBACK_INCOMPLETE
    assert "still running" in outcome.reason
    overran = kinds(events, "fault.apply_overran")[0]
    assert overran["finished"] is False and overran["outcome"] == "still running"
    assert 0.4 <= overran["waited_s"] <= 2.0
    reverted = kinds(events, "fault.reverted")[0]
    assert reverted["ok"] is False and "chaosml rollback" in reverted["error"]
    assert [p["undo_id"] for p in outcome.pending_undos] == [overran["undo_id"]]
    line = ConsoleObserver(io.StringIO(), color=False).render(parse_event(overran))
    assert line is not None and "STILL RUNNING, it may land after its undo" in line[0]
    # the apply lands after its undo: exactly what exit 6 and the pending undo warned of
    _wait_for(world, "apply slow")
    assert world.log == ["undo slow", "apply slow"] and world.active == {"slow"}
    assert outcome.journal_path is not None
    result = replay(outcome.journal_path, registry=fakes, timeout=5.0)
    assert result.reverted == [overran["undo_id"]] and world.active == set()
