"""One trial of a sensitivity search: the experiment with the searched parameter set to a value,
run completely (blast radius, steady state, fault, rollback, recovery) through the engine API,
with a journal of its own in the search directory.

A trial that finds the system not steady touched nothing; it is tried again until the steady
state holds (``settle``), so every counted trial starts from a steady system. A trial that ends
by a signal, the halt switch, a guard, a tool error or an incomplete rollback ends the search
with that trial's exit code (the engine has already rolled its faults back).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaosml.config_file import load_config
from chaosml.drivers.registry import Registry
from chaosml.engine import halt
from chaosml.engine.api import run_experiment_async
from chaosml.engine.clock import Clock
from chaosml.engine.outcome import RunOutcome, Status
from chaosml.engine.signals import ROUTER
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.halt.board import read_once
from chaosml.journal.writer import Observer
from chaosml.model import experiment as m
from chaosml.model.loaded import Loaded
from chaosml.model.sensitivity import Sensitivity
from chaosml.sensitivity.bisection import SearchStopped

SETTLE_EVERY_S = 2.0
COUNTED = (Status.COMPLETED, Status.DEVIATED)


@dataclasses.dataclass
class TrialRecord:
    index: int
    value: float
    fired: bool
    status: str
    exit_code: int
    run_id: str
    journal: str
    time_to_detect_s: float | None
    duration_s: float
    reason: str
    classified: list[dict[str, Any]]  # the trial's silent-failure matrix cells (impact:)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def with_value(loaded: Loaded, spec: Sensitivity, value: float) -> Loaded:
    """``loaded`` with ``method[spec.step].<param>`` set to ``value`` (validated again by the
    fault's own parameter model; the journaled experiment shows the value too) and
    ``allow_no_effect`` on that step."""
    step = loaded.experiment.method[spec.step]
    assert isinstance(step, m.FaultStep)
    model = type(step.params)
    typed = _typed(model.model_fields[spec.param].annotation, value)
    params = model.model_validate({**step.params.model_dump(by_alias=True), spec.param: typed})
    method = list(loaded.experiment.method)
    # a small value may change nothing within the window: that is a silent trial, not a tool error
    method[spec.step] = step.model_copy(update={"params": params, "allow_no_effect": True})
    raw = dict(loaded.raw)
    raw_method = list(raw.get("method") or [])
    if spec.step < len(raw_method) and isinstance(raw_method[spec.step], dict):
        raw_method[spec.step] = {**raw_method[spec.step], spec.param: typed}
        raw["method"] = raw_method
    experiment = loaded.experiment.model_copy(update={"method": method})
    return dataclasses.replace(loaded, experiment=experiment, raw=raw)


def _typed(annotation: Any, value: float) -> float | int:
    return round(value) if annotation is int else value


@dataclasses.dataclass
class TrialRunner:
    """Runs trials; ``records`` holds every counted trial, ``stop`` the outcome that ended the
    search (None while it goes on)."""

    loaded: Loaded
    spec: Sensitivity
    options: RunOptions
    search_dir: Path
    clock: Clock
    registry: Registry | None = None
    observers: list[Observer] = dataclasses.field(default_factory=list)
    on_trial: Callable[[TrialRecord], object] | None = None
    run_clock: Clock | None = None  # the engine's clock for each run (default: the system's)
    records: list[TrialRecord] = dataclasses.field(default_factory=list)
    stop: RunOutcome | None = None
    stop_reason: str = ""
    attempts: int = 0

    async def __call__(self, value: float) -> bool:
        deadline = self.clock.monotonic() + self.spec.settle
        while True:
            self._check_stop()
            started = time.monotonic()
            outcome = await self._run(value)
            if outcome.status in COUNTED:
                return self._counted(value, outcome, time.monotonic() - started)
            if outcome.status != Status.NOT_STEADY or self.clock.monotonic() >= deadline:
                self._stopped_by(outcome, value)
            await self.clock.sleep(SETTLE_EVERY_S)

    def _check_stop(self) -> None:
        """Nothing starts after a signal or while the halt switch is set."""
        if ROUTER.is_installed and ROUTER.received:  # the command's router (cli, or a test)
            self.stop_reason = f"interrupted by {ROUTER.first()} between trials"
            self.stop = _synthetic(Status.INTERRUPTED, self.stop_reason)
            raise SearchStopped(self.stop_reason)
        reading = read_once(halt.halt_sources(load_config(), self.options.halt_file))
        if reading.active:  # every halt scope (docs/safety.md), read between two trials
            self.stop_reason = f"halted: {reading.active[0].message()}"
            self.stop = _synthetic(Status.ABORTED, self.stop_reason)
            raise SearchStopped(self.stop_reason)

    async def _run(self, value: float) -> RunOutcome:
        self.attempts += 1
        name = f"trial-{self.attempts:03d}-{value:g}.jsonl"
        options = dataclasses.replace(self.options, journal_path=self.search_dir / name)
        loaded = with_value(self.loaded, self.spec, value)
        return await run_experiment_async(
            loaded, options, list(self.observers), self.registry, self.run_clock
        )

    def _counted(self, value: float, outcome: RunOutcome, duration: float) -> bool:
        alerts: list[dict[str, Any]] = outcome.summary.get("alerts", [])
        alert = next((a for a in alerts if a.get("name") == self.spec.alert), {})
        fired = bool(alert.get("fired"))
        record = TrialRecord(
            index=len(self.records),
            value=value,
            fired=fired,
            status=outcome.status.value,
            exit_code=int(outcome.exit_code),
            run_id=outcome.run_id,
            journal=str(outcome.journal_path),
            time_to_detect_s=alert.get("time_to_detect_s") if fired else None,
            duration_s=round(duration, 3),
            reason=outcome.reason,
            classified=list(outcome.summary.get("classified") or []),
        )
        self.records.append(record)
        if self.on_trial is not None:
            self.on_trial(record)
        return fired

    def _stopped_by(self, outcome: RunOutcome, value: float) -> None:
        if outcome.status == Status.NOT_STEADY:
            why = f"the steady state did not hold within settle {self.spec.settle:g}s"
        else:
            why = f"the trial at {value:g} ended {outcome.status.value}"
        self.stop = outcome
        self.stop_reason = f"{why}: {outcome.reason}"
        raise SearchStopped(self.stop_reason)


def _synthetic(status: Status, reason: str) -> RunOutcome:
    return RunOutcome(status, reason, "", None)


def stop_exit_code(stop: RunOutcome | None) -> ExitCode | None:
    return None if stop is None else stop.exit_code
