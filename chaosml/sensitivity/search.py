"""``chaosml sensitivity``: the whole search — trials through the engine, the search journal
(``search.jsonl``: ``sensitivity.start``, one ``sensitivity.trial`` per trial, and the one
``sensitivity.result`` the drill history ingests), and the exit code."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaosml.drivers.registry import Registry
from chaosml.engine.api import Observer, new_run_id
from chaosml.engine.clock import Clock, SystemClock
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.loader import Loaded
from chaosml.model.sensitivity import Sensitivity
from chaosml.redaction import Redactor
from chaosml.reporting.journal_writer import JournalWriter
from chaosml.sensitivity.bisection import Bisection, Boundary
from chaosml.sensitivity.trial import TrialRecord, TrialRunner

SEARCH_JOURNAL = "search.jsonl"
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
    redactor = Redactor(setup.loaded.secret_values)
    journal = JournalWriter(directory / SEARCH_JOURNAL, search_id, redactor)
    clock = setup.clock or SystemClock()
    started_at, started = time.time(), time.monotonic()
    _journal_start(journal, setup.loaded, spec, search_id)
    runner = TrialRunner(
        setup.loaded,
        spec,
        setup.options,
        directory,
        clock,
        setup.registry,
        setup.observers,
        on_trial=lambda r: _on_trial(journal, search_id, r, setup.progress),
        run_clock=setup.run_clock,
    )
    boundary = await Bisection(spec, runner, clock).run()
    code, message = _verdict(boundary, spec, runner)
    duration = round(time.monotonic() - started, 3)
    event = _journal_result(
        journal, setup.loaded, spec, search_id, boundary, code, message, duration, started_at
    )
    journal.close()
    return SearchResult(
        search_id,
        directory,
        journal.path,
        boundary,
        list(runner.records),
        code,
        message,
        duration,
        started_at,
        event,
    )


def _on_trial(
    journal: JournalWriter,
    search_id: str,
    record: TrialRecord,
    progress: Callable[[TrialRecord], None] | None,
) -> None:
    journal.emit("sensitivity.trial", search_id=search_id, **record.to_json())
    if progress is not None:
        progress(record)


def _journal_start(journal: JournalWriter, loaded: Loaded, spec: Sensitivity, sid: str) -> None:
    journal.emit(
        "sensitivity.start",
        search_id=sid,
        title=loaded.experiment.title,
        experiment_path=loaded.path,
        tags=loaded.experiment.tags,
        **spec.model_dump(),
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


def _journal_result(
    journal: JournalWriter,
    loaded: Loaded,
    spec: Sensitivity,
    search_id: str,
    boundary: Boundary,
    code: ExitCode,
    message: str,
    duration: float,
    started_at: float,
) -> dict[str, Any]:
    return journal.emit(
        "sensitivity.result",
        search_id=search_id,
        title=loaded.experiment.title,
        alert=spec.alert,
        param=spec.param,
        scale=spec.scale,
        low_fires=boundary.low_fires,
        high_silent=boundary.high_silent,
        estimate=boundary.estimate,
        uncertainty=boundary.uncertainty,
        trials=boundary.trials,
        outcome=boundary.how,
        exit_code=int(code),
        message=message,
        duration_s=duration,
        started_at=started_at,
        ml_test_score=loaded.experiment.ml_test_score,
    )
