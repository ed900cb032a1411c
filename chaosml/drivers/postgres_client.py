"""The one place chaosml imports ``psycopg`` (PostgreSQL); its errors become chaosml errors here.

Used by the drill history store and the team-wide halt source (``postgresql://…`` URLs). The
driver is optional: ``pip install 'chaosml[postgres]'`` brings it; without it a
``postgresql://`` URL is an input error (exit 2) that says so.

- the server cannot be reached, refuses the login or the database is missing
  -> ``InfrastructureError`` (exit 5) naming the server (the URL with its password redacted);
- a statement the server rejects -> ``DriverError`` with the server's message.

Every connection has a connect timeout and a statement timeout, so a stalled server cannot
hold a run: a halt poll or a history write ends in bounded time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chaosml import redaction
from chaosml.errors import DriverError, InfrastructureError, InputError

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 10_000
INSTALL_HINT = "install the PostgreSQL driver: pip install 'chaosml[postgres]'"


def _remember_password(url: str) -> None:
    password = urlsplit(url).password
    if password:
        redaction.remember([password])


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise InputError(f"a postgresql:// URL needs the psycopg driver; {INSTALL_HINT}") from exc
    return psycopg


@dataclass
class Session:
    """One open connection; statements run in the transaction of the ``connect`` block."""

    _conn: Any
    url: str

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; rows it returns (empty for statements without a result)."""
        psycopg = _psycopg()
        try:
            cursor = self._conn.execute(sql, tuple(params))
            return list(cursor.fetchall()) if cursor.description is not None else []
        except psycopg.OperationalError as exc:
            raise _unreachable(self.url, exc) from exc
        except psycopg.Error as exc:
            raise DriverError(
                f"PostgreSQL at {redaction.url_without_password(self.url)}: {_first_line(exc)}"
            ) from exc


@contextmanager
def connect(url: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Session]:
    """A connection for one unit of work: committed on a clean exit, rolled back on an error."""
    psycopg = _psycopg()
    _remember_password(url)
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    try:
        conn = psycopg.connect(url, connect_timeout=max(1, int(timeout_s)), options=options)
    except psycopg.Error as exc:
        raise _unreachable(url, exc) from exc
    try:
        with conn.transaction():
            yield Session(conn, url)
    except psycopg.OperationalError as exc:
        raise _unreachable(url, exc) from exc
    finally:
        conn.close()


def _unreachable(url: str, exc: Exception) -> InfrastructureError:
    reason = str(redaction.scrub(_first_line(exc)))
    return InfrastructureError(
        f"PostgreSQL at {redaction.url_without_password(url)} is not reachable: {reason}"
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
