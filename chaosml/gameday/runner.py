"""Runs a game-day drill: the plan's experiments in order under one target lock.

Before anything runs: the environment must be one the plan allows, no halt may be in force,
every experiment must load, and the targets of all of them are locked at once (a second drill
or run on the same targets refuses with exit 2). Then each experiment runs through ``run_one``
(the engine's entry point) with its own journal; between experiments the drill pauses,
watching the halt switch and the deadline.

The drill stops early — the rest is skipped — after a SIGINT/SIGTERM (exit 130: in any phase of
any experiment, or between two), when the deadline passes or the halt switch is thrown (exit 4),
when an experiment was aborted by a guard, interrupted or left a fault in place (its own exit
code; injecting more faults then would be reckless), and after any failure when
``stop_on_failure`` is set. The drill's exit code is the most severe of its experiments'.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaosml.engine import lock as target_lock
from chaosml.errors import ChaosMLError, InputError, RefusedError
from chaosml.exit_codes import ExitCode, exit_code_for, most_severe
from chaosml.gameday.plan import LoadedPlan, PlanEntry
from chaosml.reporting.coverage import Coverage, compute_coverage
from chaosml.reporting.journal_reader import RunReport, read_journal

STOP_THE_DRILL = {ExitCode.ABORTED, ExitCode.INTERRUPTED, ExitCode.ROLLBACK_INCOMPLETE}
PAUSE_SLICE_S = 0.2


@dataclass(frozen=True)
class ExperimentRequest:
    """What the engine is asked to run for one entry of the plan."""

    index: int
    path: Path
    vars: dict[str, str]
    environment: str | None
    journal: Path
    deadline_s: float | None  # seconds left in the drill when it starts


@dataclass
class ExperimentOutcome:
    index: int
    path: Path
    title: str
    exit_code: ExitCode | None  # None: skipped
    journal: Path | None = None
    report: RunReport | None = None
    note: str = ""

    @property
    def status(self) -> str:
        if self.report is not None:
            return self.report.status
        return "skipped" if self.exit_code is None else ExitCode(self.exit_code).name.lower()


@dataclass
class DrillResult:
    title: str
    drill_id: str
    environment: str | None
    outcomes: list[ExperimentOutcome] = field(default_factory=list)
    duration_s: float = 0.0
    stopped: str = ""  # why the drill stopped early, "" when it ran to the end
    stop_code: ExitCode | None = None

    @property
    def exit_code(self) -> ExitCode:
        codes = [o.exit_code for o in self.outcomes if o.exit_code is not None]
        if self.stop_code is not None:
            codes.append(self.stop_code)
        return most_severe(codes)

    @property
    def reports(self) -> list[RunReport]:
        return [o.report for o in self.outcomes if o.report is not None]

    @property
    def coverage(self) -> Coverage:
        return compute_coverage(self.reports)


@dataclass
class DrillOptions:
    environment: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    journal_dir: Path = Path("chaosml-journals")
    lock_dir: Path | None = None
    drill_id: str = ""


RunOne = Callable[[ExperimentRequest], ExitCode]
KeysOf = Callable[[Path, dict[str, str]], tuple[str, list[str]]]  # -> (title, lock keys)


def new_drill_id() -> str:
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"gameday-{stamp}-{secrets.token_hex(2)}"


class DrillRunner:
    """One drill: check, lock, run each experiment, pause, stop early when it must."""

    def __init__(
        self,
        loaded: LoadedPlan,
        options: DrillOptions,
        run_one: RunOne,
        keys_of: KeysOf,
        halted: Callable[[], bool] = lambda: False,
        interrupted: Callable[[], str | None] = lambda: None,  # the first signal's name
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.loaded = loaded
        self.plan = loaded.plan
        self.options = options
        self.run_one = run_one
        self.keys_of = keys_of
        self.halted = halted
        self.interrupted = interrupted
        self.clock = clock
        self.sleep = sleep
        self.drill_id = options.drill_id or new_drill_id()
        self.started = 0.0

    def run(self) -> DrillResult:
        """Refusals raise RefusedError (exit 2) before anything ran."""
        self._check_environment()
        if self.halted():
            raise RefusedError(
                "the halt switch is on: no drill may start", hint="chaosml halt --clear"
            )
        titles, keys = self._titles_and_keys()
        result = DrillResult(self.plan.title, self.drill_id, self.options.environment)
        self.started = self.clock()
        with target_lock.acquire(keys, self.drill_id, self.plan.title, self.options.lock_dir):
            self._run_all(result, titles)
        result.duration_s = self.clock() - self.started
        return result

    def _check_environment(self) -> None:
        allowed = self.plan.environments
        env = self.options.environment
        if allowed is not None and env not in allowed:
            shown = env or "none given"
            raise RefusedError(
                f"the drill runs only in {', '.join(allowed)}; environment: {shown}",
                hint="pass --env (or set CHAOSML_ENV) to one of the plan's environments",
            )

    def _titles_and_keys(self) -> tuple[list[str], list[str]]:
        titles, keys = [], []
        for entry in self.plan.experiments:
            title, entry_keys = self.keys_of(self.loaded.experiment_path(entry), self._vars(entry))
            titles.append(title)
            keys += entry_keys
        return titles, keys

    def _vars(self, entry: PlanEntry) -> dict[str, str]:
        merged = {k: _as_text(v) for k, v in entry.vars.items()}
        merged.update(self.options.overrides)
        return merged

    def _run_all(self, result: DrillResult, titles: list[str]) -> None:
        for index, entry in enumerate(self.plan.experiments):
            path = self.loaded.experiment_path(entry)
            if result.stopped:
                result.outcomes.append(
                    ExperimentOutcome(index, path, titles[index], None, note=result.stopped)
                )
                continue
            if index > 0:
                self._pause(result)
            if self._stop_reason(result):
                result.outcomes.append(
                    ExperimentOutcome(index, path, titles[index], None, note=result.stopped)
                )
                continue
            outcome = self._run_entry(index, entry, titles[index])
            result.outcomes.append(outcome)
            self._after(result, outcome)

    def _stop_reason(self, result: DrillResult) -> str:
        """Sets ``result.stopped`` after a signal, when the deadline passed or the halt is on."""
        signal_name = None if result.stopped else self.interrupted()
        if signal_name is not None:
            result.stopped = f"skipped: interrupted by {signal_name}"
            result.stop_code = ExitCode.INTERRUPTED
        elif not result.stopped and self.halted():
            result.stopped, result.stop_code = "skipped: the halt switch is on", ExitCode.ABORTED
        elif not result.stopped and self._left() == 0.0:
            result.stopped, result.stop_code = (
                "skipped: the drill's deadline passed",
                ExitCode.ABORTED,
            )
        return result.stopped

    def _after(self, result: DrillResult, outcome: ExperimentOutcome) -> None:
        code = outcome.exit_code
        if code in STOP_THE_DRILL:
            result.stopped = f"skipped: experiment {outcome.index + 1} ended {outcome.status}"
        elif code not in (None, ExitCode.OK) and self.plan.stop_on_failure:
            result.stopped = f"skipped: stop_on_failure after experiment {outcome.index + 1}"

    def _left(self) -> float | None:
        if self.plan.deadline is None:
            return None
        return max(0.0, self.plan.deadline - (self.clock() - self.started))

    def _pause(self, result: DrillResult) -> None:
        end = self.clock() + self.plan.pause
        while self.clock() < end and not self._stop_reason(result):
            self.sleep(min(PAUSE_SLICE_S, end - self.clock()))

    def _run_entry(self, index: int, entry: PlanEntry, title: str) -> ExperimentOutcome:
        path = self.loaded.experiment_path(entry)
        journal = self.options.journal_dir / self.drill_id / f"{index + 1:02d}-{path.stem}.jsonl"
        journal.parent.mkdir(parents=True, exist_ok=True)
        request = ExperimentRequest(
            index, path, self._vars(entry), self.options.environment, journal, self._left()
        )
        code, note = self._call_engine(request)
        report = _read_if_any(journal)
        title = report.title if report else title
        return ExperimentOutcome(index, path, title, code, journal, report, note)

    def _call_engine(self, request: ExperimentRequest) -> tuple[ExitCode, str]:
        """The engine's exit code; an error it raises becomes that experiment's outcome."""
        try:
            return ExitCode(self.run_one(request)), ""
        except ChaosMLError as exc:
            return exit_code_for(exc), f"{type(exc).__name__}: {exc.message}"


def _read_if_any(journal: Path) -> RunReport | None:
    if not journal.is_file():
        return None
    try:
        return read_journal(journal)
    except InputError:
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
