"""A team-wide halt in PostgreSQL: one row in the table ``chaosml_halt`` (created here).

The table belongs to the halt; the rest of the database is the history store's. A row with
``name = 'all'`` is the halt in force; no row, no halt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chaosml import redaction
from chaosml.drivers import postgres_client
from chaosml.errors import ChaosMLError, InputError
from chaosml.halt.record import HaltRecord
from chaosml.halt.sources import StoredHalt

TABLE = "chaosml_halt"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (name text PRIMARY KEY, reason text NOT NULL, "
    "halted_by text NOT NULL, host text NOT NULL, at text NOT NULL)"
)
ROW = "all"
CONNECT_TIMEOUT_S = 1.0


@dataclass
class PostgresSource(StoredHalt[tuple[object, ...]]):
    url: str
    scope: str = field(default="postgresql", kw_only=True)
    noun: ClassVar[str] = "the halt table at"
    passes: ClassVar[tuple[type[ChaosMLError], ...]] = (InputError,)

    @property
    def where(self) -> str:
        return redaction.url_without_password(self.url)

    def _fetch(self) -> tuple[object, ...] | None:
        rows = self._run(
            [CREATE, f"SELECT reason, halted_by, host, at FROM {TABLE} WHERE name = %s"], (ROW,)
        )
        return rows[0] if rows else None

    def _parse(self, found: tuple[object, ...]) -> HaltRecord | None:
        reason, user, host, at = (str(value) for value in found)
        return HaltRecord(reason=reason, user=user, host=host, at=at)

    def set(self, record: HaltRecord) -> None:
        upsert = (
            f"INSERT INTO {TABLE} (name, reason, halted_by, host, at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET reason = EXCLUDED.reason, "
            "halted_by = EXCLUDED.halted_by, host = EXCLUDED.host, at = EXCLUDED.at"
        )
        self._run([CREATE, upsert], (ROW, record.reason, record.user, record.host, record.at))

    def clear(self) -> bool:
        rows = self._run([CREATE, f"DELETE FROM {TABLE} WHERE name = %s RETURNING name"], (ROW,))
        return bool(rows)

    def _run(self, statements: list[str], params: tuple[str, ...]) -> list[tuple[object, ...]]:
        """The statements in one transaction; the last one gets ``params``, its rows come back."""

        def transaction() -> list[tuple[object, ...]]:
            with postgres_client.connect(self.url, timeout_s=CONNECT_TIMEOUT_S) as session:
                for sql in statements[:-1]:
                    session.execute(sql)
                return session.execute(statements[-1], params)

        return self._reach(transaction)
