"""The history store: records written in one transaction per journal (idempotent: a run or a
search the store already holds is skipped, so importing twice keeps one), and read back in the
order they started."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chaosml.history import location as locations
from chaosml.history.backends import Database, Rows, Session, open_database
from chaosml.history.migrations import migrate
from chaosml.history.records import (
    AlertResult,
    Classification,
    Recorded,
    RunRecord,
    SensitivityRecord,
)

if TYPE_CHECKING:  # the journal reader (~50 ms): for recording, not for `chaosml history`
    from chaosml.history.journals import JournalContents

R = TypeVar("R")


def _same(value: Any) -> Any:
    return value


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class _Table(Generic[R]):
    """One kind of record in its table: a column per field of the same name (the first the
    key), then ``recorded_at``; ``stored``/``loaded`` convert a field where it is not kept as is."""

    name: str
    record: Callable[..., R]
    listed: str  # the columns, comma-separated
    stored: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    loaded: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [name.strip() for name in self.listed.split(",")]

    def insert(self, session: Session, record: R) -> bool:
        """Add ``record`` unless its key is already there; whether it was added."""
        values = [self.stored.get(c, _same)(getattr(record, c)) for c in self.columns]
        names = f"{self.listed}, recorded_at"
        marks = ", ".join("?" * (len(values) + 1))
        key = self.columns[0]
        added = session.execute(
            f"INSERT INTO {self.name} ({names}) VALUES ({marks}) "
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}",
            [*values, time.time()],
        )
        return bool(added)

    def select(self, session: Session) -> Rows:
        """Every row, oldest first."""
        order = f"started_at, {self.columns[0]}"
        return session.execute(f"SELECT {self.listed} FROM {self.name} ORDER BY {order}")

    def read(self, row: Sequence[Any], **more: Any) -> R:
        fields = {c: self.loaded.get(c, _same)(v) for c, v in zip(self.columns, row, strict=True)}
        return self.record(**fields, **more)


RUNS = _Table(
    "chaosml_runs",
    RunRecord,
    "run_id, title, kind, status, exit_code, started_at, duration_s, tags, drill_id, source",
    stored={"tags": lambda tags: json.dumps(list(tags))},
    loaded={"started_at": float, "duration_s": float, "tags": lambda v: tuple(json.loads(v))},
)
SEARCHES = _Table(
    "chaosml_sensitivity",
    SensitivityRecord,
    "search_id, title, alert, param, scale, low_fires, high_silent, uncertainty, trials, "
    "duration_s, started_at, source",
    loaded=dict.fromkeys(("low_fires", "high_silent", "uncertainty"), _float)
    | {"trials": int, "duration_s": float, "started_at": float},
)


@dataclass
class HistoryStore:
    db: Database

    @classmethod
    def open(cls, url: str | None = None) -> HistoryStore:
        """The store at ``url`` (or the environment's, or the default), migrated to the latest
        schema."""
        db = open_database(locations.resolve(url))
        migrate(db)
        return cls(db)

    @property
    def shown(self) -> str:
        return self.db.location.shown

    def record(self, contents: JournalContents) -> Recorded:
        """Add a journal's runs and searches in one transaction."""
        done = Recorded()
        with self.db.transaction(write=True) as session:
            for run in contents.runs:
                target = done.runs if _insert_run(session, run) else done.already
                target.append(run.run_id)
            for search in contents.searches:
                target = done.searches if SEARCHES.insert(session, search) else done.already
                target.append(search.search_id)
        return done

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first."""
        with self.db.transaction() as session:
            rows = RUNS.select(session)
            alerts = _alerts(session)
            cells = _cells(session)
        return [
            RUNS.read(
                row,
                alerts=tuple(alerts.get(row[0], ())),
                classifications=tuple(cells.get(row[0], ())),
            )
            for row in rows
        ]

    def searches(self) -> list[SensitivityRecord]:
        """Every sensitivity search, oldest first."""
        with self.db.transaction() as session:
            rows = SEARCHES.select(session)
        return [SEARCHES.read(row) for row in rows]


def _insert_run(session: Session, run: RunRecord) -> bool:
    if not RUNS.insert(session, run):
        return False
    for a in run.alerts:
        session.execute(
            "INSERT INTO chaosml_alert_results "
            "(run_id, alert, fired, tested, time_to_detect_s, time_to_notify_s) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, alert) DO NOTHING",
            (
                run.run_id,
                a.alert,
                int(a.fired),
                int(a.tested),
                a.time_to_detect_s,
                a.time_to_notify_s,
            ),
        )
    for c in run.classifications:
        session.execute(
            "INSERT INTO chaosml_alert_classifications (run_id, alert, cell) VALUES (?, ?, ?) "
            "ON CONFLICT (run_id, alert) DO NOTHING",
            (run.run_id, c.alert, c.cell),
        )
    return True


def _alerts(session: Session) -> dict[str, list[AlertResult]]:
    found: dict[str, list[AlertResult]] = defaultdict(list)
    rows = session.execute(
        "SELECT run_id, alert, fired, tested, time_to_detect_s, time_to_notify_s "
        "FROM chaosml_alert_results ORDER BY run_id, alert"
    )
    for run_id, alert, fired, tested, ttd, ttn in rows:
        found[run_id].append(
            AlertResult(alert, bool(fired), bool(tested), _float(ttd), _float(ttn))
        )
    return found


def _cells(session: Session) -> dict[str, list[Classification]]:
    found: dict[str, list[Classification]] = defaultdict(list)
    rows = session.execute(
        "SELECT run_id, alert, cell FROM chaosml_alert_classifications ORDER BY run_id, alert"
    )
    for run_id, alert, cell in rows:
        found[run_id].append(Classification(alert, cell))
    return found
