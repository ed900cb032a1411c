"""Two runs in one process (a game day) share no run state: aborting one leaves the other's
commands and faults alone (issue 12 §2)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from chaosml.engine.api import run_experiment_async
from chaosml.engine.outcome import RunOutcome, Status
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeRegistry, registry_with_fakes
from tests.unit.engine.conftest import kinds

EXPERIMENT = """
version: 1
title: run {name}
method:
  - fault: fake.fault
    id: {name}
  - fault: process.run
    command: [sleep, "1.5"]
    timeout: 10s
"""


class _Run:
    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        self.fakes: FakeRegistry = registry_with_fakes()
        self.journal = tmp_path / f"{name}.jsonl"
        self.halt = tmp_path / f"HALT-{name}"
        self.commands_started = 0

    def observe(self, event: dict[str, Any]) -> None:
        if event["event"] == "command.started":
            self.commands_started += 1

    async def execute(self) -> RunOutcome:
        text = EXPERIMENT.format(name=self.name)
        loaded = load_text(text, f"{self.name}.yaml", registry=self.fakes)
        options = RunOptions(journal_path=self.journal, halt_file=self.halt)
        return await run_experiment_async(
            loaded, options, [self.observe], registry=self.fakes, clock=FakeClock(50)
        )

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.journal.read_text().splitlines()]


async def _halt_when_both_run_commands(first: _Run, second: _Run) -> None:
    deadline = time.monotonic() + 10.0
    while not (first.commands_started and second.commands_started):
        assert time.monotonic() < deadline, "the commands never started"
        await asyncio.sleep(0.02)
    first.halt.write_text("stop run a only\n")


async def _both(first: _Run, second: _Run) -> tuple[RunOutcome, RunOutcome]:
    a, b, _ = await asyncio.gather(
        first.execute(), second.execute(), _halt_when_both_run_commands(first, second)
    )
    return a, b


def test_aborting_one_of_two_concurrent_runs_leaves_the_other_alone(tmp_path: Path) -> None:
    first, second = _Run("a", tmp_path), _Run("b", tmp_path)
    began = time.monotonic()
    aborted, other = asyncio.run(_both(first, second))

    assert aborted.status == Status.ABORTED and aborted.exit_code == ExitCode.ABORTED
    assert "halt switch" in aborted.reason
    assert first.fakes.world.log == ["apply a", "undo a"] and not first.fakes.world.active
    assert not [e for e in kinds(first.events(), "fault.applied") if e["fault"] == "process.run"]

    # the other run's command was not killed by the abort: it slept its 1.5 s and exited 0
    assert other.status == Status.COMPLETED and other.exit_code == ExitCode.OK, other.reason
    applied = [e["fault"] for e in kinds(second.events(), "fault.applied")]
    assert applied == ["fake.fault", "process.run"]
    assert time.monotonic() - began >= 1.5
    assert second.fakes.world.log == ["apply b", "undo b"] and not second.fakes.world.active
