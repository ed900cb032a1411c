from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosml.engine.api import run_experiment
from chaosml.engine.clock import Clock
from chaosml.engine.outcome import RunOutcome
from chaosml.engine.state import RunOptions
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeRegistry, FakeWorld, VirtualClock, registry_with_fakes


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CHAOSML_HALT_FILE", str(tmp_path / "HALT"))
    monkeypatch.setenv("CHAOSML_LOCK_DIR", str(tmp_path / "locks"))
    yield


@pytest.fixture
def fakes() -> FakeRegistry:
    """The fake drivers of this test, acting on a world of their own."""
    return registry_with_fakes()


@pytest.fixture
def world(fakes: FakeRegistry) -> FakeWorld:
    """What the fakes of ``run`` did."""
    return fakes.world


RunFn = Callable[..., tuple[RunOutcome, list[dict[str, Any]]]]


@pytest.fixture
def run(tmp_path: Path, fakes: FakeRegistry) -> RunFn:
    registry = fakes

    def _run(
        text: str, speed: float | None = None, clock: Clock | None = None, **options: Any
    ) -> tuple[RunOutcome, list[dict[str, Any]]]:
        """Run ``text`` on ``clock``, by default a VirtualClock that real time never moves.
        ``speed`` runs it on a FakeClock instead (real time sped up), for the few tests that
        need real time to pass: a driver call that is slow for real, a halt set by a thread."""
        loaded = load_text(
            textwrap.dedent(text), "exp.yaml", registry=registry, **options.pop("load", {})
        )
        journal = tmp_path / f"journal-{len(list(tmp_path.glob('journal-*')))}.jsonl"
        opts = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT", **options)
        outcome = run_experiment(loaded, opts, registry=registry, clock=clock or _clock(speed))
        events = [json.loads(line) for line in journal.read_text().splitlines()]
        return outcome, events

    return _run


def _clock(speed: float | None) -> Clock:
    return VirtualClock() if speed is None else FakeClock(speed)


def kinds(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]
