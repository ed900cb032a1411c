"""Which history store: ``--history URL``, else ``CHAOSML_HISTORY_URL``, else a SQLite file in
the user's data directory (``$XDG_DATA_HOME/chaosml/history.db``, by default
``~/.local/share/chaosml/history.db``). ``CHAOSML_HISTORY=off`` (or ``--no-history``) turns the
automatic recording off.

A URL is ``sqlite:///PATH`` as SQLAlchemy writes it (``sqlite:///history.db`` is relative to
the working directory, ``sqlite:////var/lib/chaosml/history.db`` absolute) or
``postgresql://user:password@host:port/database``; anything else is an ``InputError`` (exit 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chaosml import redaction
from chaosml.errors import InputError

URL_VAR = "CHAOSML_HISTORY_URL"
SWITCH_VAR = "CHAOSML_HISTORY"
OFF_VALUES = {"off", "0", "false", "no"}
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class HistoryLocation:
    backend: str  # "sqlite" or "postgresql"
    url: str  # as given (may hold a password: show ``shown``)
    path: Path | None = None  # the SQLite file

    @property
    def shown(self) -> str:
        return redaction.url_without_password(self.url)


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chaosml" / "history.db"


def recording_enabled() -> bool:
    """False when ``CHAOSML_HISTORY`` says off."""
    return os.environ.get(SWITCH_VAR, "").strip().lower() not in OFF_VALUES


def resolve(url: str | None = None) -> HistoryLocation:
    """The store named by ``url``, the environment or the default."""
    given = url or os.environ.get(URL_VAR) or ""
    if not given:
        path = default_path()
        return HistoryLocation(SQLITE, f"sqlite:///{path}", path)
    return parse(given)


def parse(url: str) -> HistoryLocation:
    scheme = urlsplit(url).scheme.lower()
    if scheme == SQLITE:
        return HistoryLocation(SQLITE, url, _sqlite_path(url))
    if scheme in (POSTGRESQL, "postgres"):
        return HistoryLocation(POSTGRESQL, url)
    raise InputError(
        f"history URL {redaction.url_without_password(url)!r}: expected sqlite:///PATH or postgresql://…",
        hint=f"set --history or {URL_VAR}",
    )


def _sqlite_path(url: str) -> Path:
    rest = url.split(":", 1)[1]
    if not rest.startswith("///") or len(rest) <= 3:
        raise InputError(
            f"history URL {url!r}: a SQLite URL is sqlite:///PATH (three slashes, then the path)"
        )
    return Path(unquote(rest[3:]))
