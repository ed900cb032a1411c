"""The history store: records written in one transaction per journal (idempotent: a run or a
search the store already holds is skipped, so importing twice keeps one), and read back in the
order they started."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chaosml.history import location as locations
from chaosml.history.backends import Database, Session, open_database
from chaosml.history.journals import JournalContents
from chaosml.history.migrations import migrate
from chaosml.history.records import (
    AlertResult,
    Classification,
    Recorded,
    RunRecord,
    SensitivityRecord,
)

RUN_COLUMNS = (
    "run_id, title, kind, status, exit_code, started_at, duration_s, tags, drill_id, source, "
    "recorded_at"
)
SEARCH_COLUMNS = (
    "search_id, title, alert, param, scale, low_fires, high_silent, uncertainty, trials, "
    "duration_s, started_at, source, recorded_at"
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
                target = done.searches if _insert_search(session, search) else done.already
                target.append(search.search_id)
        return done

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first."""
        with self.db.transaction() as session:
            rows = session.execute(
                f"SELECT {RUN_COLUMNS} FROM chaosml_runs ORDER BY started_at, run_id"
            )
            alerts = _alerts(session)
            cells = _cells(session)
        return [_run(row, alerts.get(row[0], ()), cells.get(row[0], ())) for row in rows]

    def searches(self) -> list[SensitivityRecord]:
        """Every sensitivity search, oldest first."""
        with self.db.transaction() as session:
            rows = session.execute(
                f"SELECT {SEARCH_COLUMNS} FROM chaosml_sensitivity ORDER BY started_at, search_id"
            )
        return [_search(row) for row in rows]


def _insert_run(session: Session, run: RunRecord) -> bool:
    values = (
        run.run_id,
        run.title,
        run.kind,
        run.status,
        run.exit_code,
        run.started_at,
        run.duration_s,
        json.dumps(list(run.tags)),
        run.drill_id,
        run.source,
        time.time(),
    )
    marks = ", ".join("?" * len(values))
    inserted = session.execute(
        f"INSERT INTO chaosml_runs ({RUN_COLUMNS}) VALUES ({marks}) "
        "ON CONFLICT (run_id) DO NOTHING RETURNING run_id",
        values,
    )
    if not inserted:
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


def _insert_search(session: Session, s: SensitivityRecord) -> bool:
    values = (
        s.search_id,
        s.title,
        s.alert,
        s.param,
        s.scale,
        s.low_fires,
        s.high_silent,
        s.uncertainty,
        s.trials,
        s.duration_s,
        s.started_at,
        s.source,
        time.time(),
    )
    marks = ", ".join("?" * len(values))
    return bool(
        session.execute(
            f"INSERT INTO chaosml_sensitivity ({SEARCH_COLUMNS}) VALUES ({marks}) "
            "ON CONFLICT (search_id) DO NOTHING RETURNING search_id",
            values,
        )
    )


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


def _run(
    row: Sequence[Any], alerts: Sequence[AlertResult], cells: Sequence[Classification]
) -> RunRecord:
    return RunRecord(
        run_id=row[0],
        title=row[1],
        kind=row[2],
        status=row[3],
        exit_code=row[4],
        started_at=float(row[5]),
        duration_s=float(row[6]),
        tags=tuple(json.loads(row[7])),
        drill_id=row[8],
        source=row[9],
        alerts=tuple(alerts),
        classifications=tuple(cells),
    )


def _search(row: Sequence[Any]) -> SensitivityRecord:
    return SensitivityRecord(
        search_id=row[0],
        title=row[1],
        alert=row[2],
        param=row[3],
        scale=row[4],
        low_fires=_float(row[5]),
        high_silent=_float(row[6]),
        uncertainty=_float(row[7]),
        trials=int(row[8]),
        duration_s=float(row[9]),
        started_at=float(row[10]),
        source=row[11],
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
