from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import RunOutcome
from chaosml.engine.state import RunOptions
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeRegistry, FakeWorld, registry_with_fakes


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
        text: str, speed: float = 50.0, **options: Any
    ) -> tuple[RunOutcome, list[dict[str, Any]]]:
        loaded = load_text(
            textwrap.dedent(text), "exp.yaml", registry=registry, **options.pop("load", {})
        )
        journal = tmp_path / f"journal-{len(list(tmp_path.glob('journal-*')))}.jsonl"
        opts = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT", **options)
        outcome = run_experiment(loaded, opts, registry=registry, clock=FakeClock(speed))
        events = [json.loads(line) for line in journal.read_text().splitlines()]
        return outcome, events

    return _run


def kinds(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]
