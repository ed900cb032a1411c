"""What the history stores: one record per run (with its alerts and classifications) and one
per sensitivity search. Pure values; ``journals`` makes them, ``store`` keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field

RUN = "run"
GAMEDAY = "gameday"
CELLS = ("caught", "silent_failure", "noisy_alert", "benign")


@dataclass(frozen=True)
class AlertResult:
    """One expected alert in one run: whether it fired after the fault, and how fast."""

    alert: str
    fired: bool
    tested: bool  # False: the run never got to test it (not steady, refused, no effect…)
    time_to_detect_s: float | None = None
    time_to_notify_s: float | None = None  # fault → the page (expect_notification, issue 19)


@dataclass(frozen=True)
class Classification:
    """One ``alert.classified`` event: caught, silent_failure, noisy_alert or benign."""

    alert: str
    cell: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    title: str
    status: str
    exit_code: int | None
    started_at: float  # wall clock, seconds since the epoch
    duration_s: float = 0.0
    kind: str = RUN
    tags: tuple[str, ...] = ()
    drill_id: str = ""  # the game day it belonged to, "" for a lone run
    source: str = ""  # the journal it was read from
    alerts: tuple[AlertResult, ...] = ()
    classifications: tuple[Classification, ...] = ()

    @property
    def ml_test_score(self) -> list[str]:
        return [t.split(":", 1)[1].upper() for t in self.tags if t.startswith("ml-test-score:")]


@dataclass(frozen=True)
class SensitivityRecord:
    """One sensitivity search's result: the detection boundary of one alert."""

    search_id: str
    title: str
    alert: str
    param: str
    scale: str
    low_fires: float | None  # the smallest value that fired (None: none did)
    high_silent: float | None  # the largest value that stayed silent
    uncertainty: float | None
    trials: int
    duration_s: float
    started_at: float
    source: str = ""


@dataclass
class Recorded:
    """What one write added: new runs and searches, and those the store already held."""

    runs: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)

    def merge(self, other: Recorded) -> None:
        self.runs += other.runs
        self.searches += other.searches
        self.already += other.already
