"""The history's versioned schema: forward migrations, applied in order, each in the
transaction that records its version in ``chaosml_history_schema_version``.

A store written by a newer chaosml (a version this one does not know) is refused with a message
that says to upgrade: an older chaosml never writes into a schema it does not understand. The
tables are prefixed ``chaosml_`` and share a PostgreSQL database with the team's halt row
(``chaosml_halt``, owned by the halt code, never touched here).
"""

from __future__ import annotations

from chaosml.errors import InputError
from chaosml.history.backends import Database, Session

VERSION_TABLE = "chaosml_history_schema_version"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: runs and the alerts each expected
        """CREATE TABLE chaosml_runs (
            run_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER,
            started_at DOUBLE PRECISION NOT NULL,
            duration_s DOUBLE PRECISION NOT NULL,
            tags TEXT NOT NULL,
            drill_id TEXT NOT NULL,
            source TEXT NOT NULL,
            recorded_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX chaosml_runs_started ON chaosml_runs (started_at)",
        """CREATE TABLE chaosml_alert_results (
            run_id TEXT NOT NULL REFERENCES chaosml_runs (run_id),
            alert TEXT NOT NULL,
            fired INTEGER NOT NULL,
            tested INTEGER NOT NULL,
            time_to_detect_s DOUBLE PRECISION,
            PRIMARY KEY (run_id, alert))""",
    ),
    (  # 2: the silent-failure cells and the sensitivity searches (issue 14)
        """CREATE TABLE chaosml_alert_classifications (
            run_id TEXT NOT NULL REFERENCES chaosml_runs (run_id),
            alert TEXT NOT NULL,
            cell TEXT NOT NULL,
            PRIMARY KEY (run_id, alert))""",
        """CREATE TABLE chaosml_sensitivity (
            search_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            alert TEXT NOT NULL,
            param TEXT NOT NULL,
            scale TEXT NOT NULL,
            low_fires DOUBLE PRECISION,
            high_silent DOUBLE PRECISION,
            uncertainty DOUBLE PRECISION,
            trials INTEGER NOT NULL,
            duration_s DOUBLE PRECISION NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            source TEXT NOT NULL,
            recorded_at DOUBLE PRECISION NOT NULL)""",
    ),
    (  # 3: time to notify beside time to detect (issue 19: expect_notification)
        "ALTER TABLE chaosml_alert_results ADD COLUMN time_to_notify_s DOUBLE PRECISION",
    ),
)
LATEST = len(MIGRATIONS)


def migrate(db: Database, upto: int = LATEST) -> int:
    """Bring the store to schema ``upto`` (the latest by default); the version it is at."""
    with db.transaction() as session:
        if _table_exists(db, session) and current_version(session) >= upto:
            return _checked(db, current_version(session))
    with db.transaction(write=True) as session:
        db.exclusive(session)
        session.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)")
        version = _checked(db, current_version(session))
        for number in range(version + 1, upto + 1):
            for statement in MIGRATIONS[number - 1]:
                session.execute(statement)
            _set_version(session, number)
        return max(version, upto)


def current_version(session: Session) -> int:
    rows = session.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}")
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _table_exists(db: Database, session: Session) -> bool:
    if db.location.backend == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return bool(session.execute(query, (VERSION_TABLE,)))
    return bool(session.execute("SELECT to_regclass(CAST(? AS TEXT))", (VERSION_TABLE,))[0][0])


def _checked(db: Database, version: int) -> int:
    if version > LATEST:
        raise InputError(
            f"history store {db.location.shown} has schema version {version}, newer than this "
            f"chaosml knows ({LATEST}): it was written by a newer chaosml",
            hint="upgrade chaosml to read or write this history",
        )
    return version


def _set_version(session: Session, version: int) -> None:
    session.execute(f"DELETE FROM {VERSION_TABLE}")
    session.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (?)", (version,))
