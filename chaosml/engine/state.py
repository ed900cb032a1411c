"""What the phases of one run share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.contract.context import DriverContext
from chaosml.drivers.registry import Registry
from chaosml.engine.alert_book import AlertBook
from chaosml.engine.clock import Clock
from chaosml.engine.proxies import ProxyStarter
from chaosml.journal.events import PhaseEntered
from chaosml.journal.writer import JournalWriter
from chaosml.model.experiment import Experiment


@dataclass
class RunOptions:
    environment: str | None = None
    seed: int | None = None
    dry_run: bool = False
    allow_python: bool = False
    keep_faults: bool = False
    journal_path: Path | None = None
    append_journal: bool = False  # --append-journal: journal_path may already hold runs
    journal_dir: Path = Path("chaosml-journals")
    halt_file: Path | None = None
    halt_unreachable: str | None = None  # abort|warn; default: chaosml.toml, else abort
    command_line: list[str] = field(default_factory=list)
    undo_timeout: float = 30.0
    undo_attempts: int = 3
    deadline_s: float | None = None  # an outer deadline (a game day's), besides max_duration
    lock_dir: Path | None = None  # default: CHAOSML_LOCK_DIR or ~/.cache/chaosml/locks
    max_clock_skew_s: float | None = None  # refuse when an alert source's clock is further off
    watchdog: bool = True  # --no-watchdog: no process rolls the run back if the runner dies
    start_proxy: ProxyStarter | None = None  # starts the experiment's ``proxies:`` (injected)


@dataclass
class RunState:
    experiment: Experiment
    options: RunOptions
    registry: Registry
    journal: JournalWriter
    ctx: DriverContext
    clock: Clock
    phase: str = "start"
    baselines: dict[str, Any] = field(default_factory=dict)
    last_fault_wall: float | None = None
    last_fault_began_wall: float | None = None  # when that fault's apply() was called
    deviations: list[str] = field(default_factory=list)
    expectations: list[tuple[str, bool, float]] = field(default_factory=list)  # name, ok, weight
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    rollback_end_wall: float | None = None
    lock_keys: list[str] = field(default_factory=list)
    steps_started: int = 0  # method steps begun so far (the last one may not have finished)
    stopping: bool = False  # an abort or a signal asked the steady state / method to stop
    alert_book: AlertBook = field(default_factory=AlertBook)  # alert clocks and moments
    classified: list[dict[str, Any]] = field(default_factory=list)  # engine/impact.py (issue 14)
    sinks: dict[str, Any] = field(default_factory=dict)  # webhook sinks by listen (notify_sinks)
    notifications: list[dict[str, Any]] = field(default_factory=list)  # expect_notification

    def set_phase(self, name: str) -> None:
        self.phase = name
        self.journal.write(PhaseEntered(name=name))
