"""The engine through the shipped fakes writes a journal that every renderer reads: drift
between the writer and the readers fails here, not only in the integration tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from chaosml.cli.rollback_cmd import rollback
from chaosml.engine.api import run_experiment
from chaosml.engine.state import RunOptions
from chaosml.journal import events as ev
from chaosml.journal.reader import load_events
from chaosml.loader import load_text
from chaosml.testing import VirtualClock, registry_with_fakes
from tests.unit.journal.helpers import every_format, junit_cases, run_cli

EXPERIMENT = """
version: 1
title: Fake drill in every format
tags: ["ml-test-score:M6"]
steady_state:
  - {name: baseline is one, scripted: {key: s, values: [1]}, expect: {equals: 1}}
method:
  - fault: fake.fault
    name: break the fake thing
    id: a
  - probe: {name: latency under ten, scripted: {key: p, values: [5]}, expect: {below: 10}}
  - probe:
      name: errors stay at zero
      scripted: {key: e, values: [3]}
      expect: {equals: 0}
      tolerate_failure: true
"""


def _journal(tmp_path: Path) -> Path:
    registry = registry_with_fakes()
    loaded = load_text(textwrap.dedent(EXPERIMENT), "exp.yaml", registry=registry)
    journal = tmp_path / "journal.jsonl"
    options = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT", watchdog=False)
    outcome = run_experiment(loaded, options, registry=registry, clock=VirtualClock())
    assert outcome.exit_code == 0, outcome.reason
    assert registry.world.active == set()  # the fault was undone
    return journal


def test_every_event_the_engine_wrote_reads_back_as_its_class(tmp_path: Path) -> None:
    events = load_events(_journal(tmp_path))
    kinds = {type(e) for e in events}
    assert {ev.RunStarted, ev.PhaseEntered, ev.FaultUndoRegistered, ev.FaultApplied} <= kinds
    assert {ev.ProbeResult, ev.FaultReverted, ev.RunEnded} <= kinds
    assert not [e for e in events if type(e).__name__ == "GenericEvent"]
    start = events[0]
    assert isinstance(start, ev.RunStarted) and start.journal_format == 2


def test_the_fake_run_renders_in_every_format(tmp_path: Path) -> None:
    shown = every_format(_journal(tmp_path), tmp_path)
    assert "⚡ fault break the fake thing" in shown.console
    assert "✓ scripted 'latency under ten'" in shown.console
    assert "~ scripted 'errors stay at zero'" in shown.console
    assert "COMPLETED (exit 0)" in shown.console
    for markdown in (shown.markdown_stdout, shown.markdown):
        assert "Fake drill in every format" in markdown
        assert "tolerated: **errors stay at zero** (method)" in markdown
    assert "Fake drill in every format" in shown.html
    assert "break the fake thing" in shown.html and "latency under ten" in shown.html
    cases = junit_cases(shown.junit)
    assert any("latency under ten" in name for name, how in cases.items() if how == "passed")
    assert any("errors stay at zero" in name for name in cases)


def test_rollback_of_the_fake_run_finds_nothing_left(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    code, text = run_cli(lambda: rollback(journal, False))
    assert code == 0 and "nothing to roll back" in text
