"""``chaosml sensitivity``: the whole search — trials through the engine, the search journal
(``search.jsonl``: ``sensitivity.start``, one ``sensitivity.trial`` per trial, and the one
``sensitivity.result`` the drill history ingests), and the exit code."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaosml.drivers.registry import Registry
from chaosml.engine.api import new_run_id
from chaosml.engine.clock import Clock, SystemClock
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.journal.writer import Observer
from chaosml.model.loaded import Loaded
from chaosml.model.sensitivity import Sensitivity
from chaosml.sensitivity.bisection import Bisection, Boundary
from chaosml.sensitivity.search_journal import SearchJournal
from chaosml.sensitivity.trial import TrialRecord, TrialRunner

MESSAGES = {
    "found": "found: {alert} fires from {param} = {low_fires:g}, stays silent at {high_silent:g}",
    "fires-at-low": "{alert} fires even at the low bound {param} = {low_fires:g}",
    "not-detected": "not detected: {alert} stayed silent even at the high bound {param} = {high:g}",
    "budget": "budget spent: {alert} fires from {param} = {low_fires:g}; "
    "largest silent value {high_silent}",
}


@dataclasses.dataclass
class SearchResult:
    search_id: str
    directory: Path
    journal: Path
    boundary: Boundary
    trials: list[TrialRecord]
    exit_code: ExitCode
    message: str
    duration_s: float
    started_at: float
    result_event: dict[str, Any]


@dataclasses.dataclass
class SearchSetup:
    loaded: Loaded
    options: RunOptions  # journal_path is set per trial
    search_dir: Path | None = None  # default: <journal_dir>/sensitivity-<search id>
    registry: Registry | None = None
    observers: list[Observer] = dataclasses.field(default_factory=list)
    clock: Clock | None = None  # the search's clock (budget, settle waits)
    run_clock: Clock | None = None  # each run's clock
    progress: Callable[[TrialRecord], None] | None = None  # told after every counted trial


async def search(setup: SearchSetup) -> SearchResult:
    spec = setup.loaded.experiment.sensitivity
    assert spec is not None, "the loader checks that the experiment has a sensitivity section"
    search_id = "search-" + new_run_id()
    directory = setup.search_dir or setup.options.journal_dir / f"sensitivity-{search_id}"
    journal = SearchJournal(setup.loaded, spec, search_id, directory, setup.progress)
    journal.start()
    clock = setup.clock or SystemClock()
    runner = TrialRunner(
        setup.loaded,
        spec,
        setup.options,
        directory,
        clock,
        setup.registry,
        setup.observers,
        on_trial=journal.trial,
        run_clock=setup.run_clock,
    )
    boundary = await Bisection(spec, runner, clock).run()
    code, message = _verdict(boundary, spec, runner)
    event = journal.result(boundary, code, message)
    return SearchResult(
        search_id,
        directory,
        journal.path,
        boundary,
        list(runner.records),
        code,
        message,
        event["duration_s"],
        journal.started_at,
        event,
    )


def _verdict(boundary: Boundary, spec: Sensitivity, runner: TrialRunner) -> tuple[ExitCode, str]:
    if boundary.how == "stopped":
        assert runner.stop is not None
        return runner.stop.exit_code, f"search stopped: {runner.stop_reason}"
    fields = {
        "alert": spec.alert,
        "param": spec.param,
        "high": spec.high,
        "low_fires": boundary.low_fires or 0.0,
        "high_silent": boundary.high_silent if boundary.high_silent is not None else "none",
    }
    message = MESSAGES[boundary.how].format(**fields)
    if boundary.uncertainty is not None:
        message += f" (boundary {boundary.estimate:g} ± {boundary.uncertainty:g})"
    code = ExitCode.DEVIATED if boundary.how == "not-detected" else ExitCode.OK
    return code, message
