"""chaosml.testing.VirtualClock: only the test (or the run's own idle waits) moves it, never
real time, so a schedule is the same on an idle machine and on a loaded one."""

from __future__ import annotations

import asyncio
import threading

from chaosml.exit_codes import ExitCode
from chaosml.testing import VirtualClock
from tests.unit.engine.conftest import RunFn, kinds


def test_a_sleep_ends_only_when_the_test_advances_the_clock() -> None:
    async def scenario() -> list[str]:
        clock = VirtualClock(auto=False)
        woke: list[str] = []

        async def sleeper(name: str, seconds: float) -> None:
            await clock.sleep(seconds)
            woke.append(name)

        tasks = [asyncio.create_task(sleeper("late", 2)), asyncio.create_task(sleeper("soon", 1))]
        for _ in range(50):  # the loop runs, real time passes: nobody wakes
            await asyncio.sleep(0)
        assert woke == []
        clock.advance(0.5)
        await asyncio.sleep(0)
        assert woke == [] and clock.monotonic() == 0.5
        clock.advance(0.6)
        await asyncio.sleep(0)
        assert woke == ["soon"]
        clock.advance(1)
        await asyncio.gather(*tasks)
        assert clock.wall() == 1_700_000_002.1
        return woke

    assert asyncio.run(scenario()) == ["soon", "late"]


def test_a_slow_driver_call_takes_no_time_on_the_clock(run: RunFn) -> None:
    clock = VirtualClock()
    outcome, events = run(
        """
version: 1
title: t
observe:
  every: 1s
  metrics:
    - {name: p, scripted: {key: o, values: [1]}}
method:
  - fault: fake.fault
    apply_seconds: 0.3
  - wait: 2s
""",
        clock=clock,
    )
    assert outcome.exit_code == ExitCode.OK
    assert clock.monotonic() == 2.0  # the 0.3 s of real time the apply took did not count
    assert [s["phase"] for s in kinds(events, "observe.sample")] == [
        "steady-state-before",
        "method",
        "method",
    ]  # on a FakeClock 50x faster the 0.3 s apply alone would be 15 s: 15 more samples


def test_a_call_abandoned_before_the_clock_was_made_does_not_hold_it() -> None:
    release = threading.Event()
    hung = threading.Thread(target=release.wait, name="chaosml:probe hung", daemon=True)
    hung.start()
    try:
        clock = VirtualClock()
        asyncio.run(asyncio.wait_for(clock.sleep(60), timeout=5))  # real seconds: not held
        assert clock.monotonic() == 60
    finally:
        release.set()
        hung.join()
