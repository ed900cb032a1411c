"""The two places history SQL runs: a SQLite file (stdlib ``sqlite3``, imported only here) and a
PostgreSQL database (through ``drivers.postgres_client``, the one ``psycopg`` import).

Both give the same small interface: ``transaction(write)`` opens a connection for one unit of
work, committed on a clean exit and rolled back on an error; ``Session.execute`` runs one
statement written with ``?`` placeholders and returns its rows; ``exclusive`` serialises schema
changes between processes. SQLite writes take the database's write lock at ``BEGIN IMMEDIATE``
and wait for it up to ``BUSY_TIMEOUT_S``, so concurrent runs queue instead of failing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from chaosml.drivers import postgres_client
from chaosml.errors import InfrastructureError, InputError
from chaosml.history.location import POSTGRESQL, HistoryLocation

BUSY_TIMEOUT_S = 60.0
MIGRATION_LOCK_KEY = 0x6368616F736D6C  # "chaosml": the advisory lock of schema changes

Rows = list[tuple[Any, ...]]


class Session(Protocol):
    def execute(self, sql: str, params: Sequence[object] = ()) -> Rows: ...


class Database(Protocol):
    location: HistoryLocation

    def transaction(self, write: bool = False) -> AbstractContextManager[Session]: ...

    def exclusive(self, session: Session) -> None: ...


def open_database(location: HistoryLocation) -> Database:
    if location.backend == POSTGRESQL:
        return PostgresDatabase(location)
    return SqliteDatabase(location)


@dataclass
class _SqliteSession:
    conn: sqlite3.Connection
    where: str

    def execute(self, sql: str, params: Sequence[object] = ()) -> Rows:
        try:
            return list(self.conn.execute(sql, tuple(params)).fetchall())
        except sqlite3.Error as exc:
            raise _sqlite_error(self.where, exc) from exc


@dataclass
class SqliteDatabase:
    location: HistoryLocation

    @property
    def where(self) -> str:
        return f"history {self.location.path}"

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Session]:
        conn = self._connect()
        try:
            self._begin(conn, write)
            yield _SqliteSession(conn, self.where)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _sqlite_error(self.where, exc) from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

    def exclusive(self, session: Session) -> None:
        """Nothing to do: a write transaction already holds SQLite's one write lock."""

    def _connect(self) -> sqlite3.Connection:
        path = self.location.path
        assert path is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot open {self.where}: {exc}") from exc

    def _begin(self, conn: sqlite3.Connection, write: bool) -> None:
        if write:
            # readers do not block the writer; if another process is switching the mode right
            # now, the default journal works too
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_error(where: str, exc: sqlite3.Error) -> InputError | InfrastructureError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return InputError(f"{where} is not a SQLite database: {text}")
    if isinstance(exc, sqlite3.OperationalError):
        return InfrastructureError(f"{where}: {text}")
    return InfrastructureError(f"{where}: {type(exc).__name__}: {text}")


@dataclass
class _PostgresSession:
    session: postgres_client.Session

    def execute(self, sql: str, params: Sequence[object] = ()) -> Rows:
        return self.session.execute(sql.replace("?", "%s"), params)


@dataclass
class PostgresDatabase:
    location: HistoryLocation

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Session]:
        with postgres_client.connect(self.location.url) as session:
            yield _PostgresSession(session)

    def exclusive(self, session: Session) -> None:
        """Schema changes of concurrent processes one after the other (released at commit)."""
        session.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
