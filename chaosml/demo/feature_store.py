"""The feature service's data: a CSV or JSONL file of feature rows, re-read when it changes.

CSV: a header with ``entity_id``, one column per feature and optionally ``generated_at``. A cell
that parses as a number is a number (``nan``/``inf`` included), an empty cell is null, anything
else is kept as a string — so a corrupted file reaches the model server as it is.
JSONL: one object a line, ``{"entity_id": 7, "features": {...}}`` or flat
``{"entity_id": 7, "age": 41, ...}``; ``generated_at`` (Unix seconds or ISO-8601) is optional.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaosml.demo.model import parse_timestamp
from chaosml.demo.watched_file import WatchedFile

_META = ("entity_id", "generated_at")


@dataclass(frozen=True)
class FeatureRow:
    entity_id: int
    features: dict[str, Any]
    generated_at: float | None  # None: computed when served


class FeatureFileError(Exception):
    """The data file cannot be read or parsed."""


def parse_cell(text: str) -> Any:
    """A CSV cell as the value it stands for: number, null or string."""
    stripped = text.strip()
    if stripped == "" or stripped.lower() == "null":
        return None
    try:
        return float(stripped)
    except ValueError:
        return stripped


def parse_time(raw: Any) -> float | None:
    """Unix seconds from a number or an ISO-8601 string; None when absent or unreadable."""
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        pass
    try:
        return parse_timestamp(str(raw)).timestamp()
    except ValueError:
        return None


def _row(raw: dict[str, Any], features: dict[str, Any]) -> FeatureRow:
    try:
        entity_id = int(float(raw["entity_id"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise FeatureFileError(f"row without a numeric entity_id: {raw!r}") from exc
    return FeatureRow(entity_id, features, parse_time(raw.get("generated_at")))


def read_csv(path: Path) -> list[FeatureRow]:
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    return [
        _row(rec, {k: parse_cell(v or "") for k, v in rec.items() if k not in _META and k})
        for rec in records
    ]


def read_jsonl(path: Path) -> list[FeatureRow]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise FeatureFileError(f"{path}:{number}: not JSON: {exc}") from exc
        nested = raw.get("features")
        features = (
            nested if isinstance(nested, dict) else {k: v for k, v in raw.items() if k not in _META}
        )
        rows.append(_row(raw, features))
    return rows


def read_rows(path: Path) -> list[FeatureRow]:
    """Every row of a ``.csv`` or ``.jsonl``/``.json`` file."""
    try:
        if path.suffix.lower() == ".csv":
            return read_csv(path)
        return read_jsonl(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FeatureFileError(f"cannot read {path}: {exc}") from exc


def read_table(path: Path) -> dict[int, FeatureRow]:
    return {row.entity_id: row for row in read_rows(path)}


class FeatureTable:
    """Rows by entity id; ``get()`` re-reads the file first when it changed, and keeps the old
    rows when it cannot be read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = WatchedFile(path, read_table, (FeatureFileError,))
        self._file.refresh()

    @property
    def reloads(self) -> int:
        return self._file.reloads

    @property
    def last_error(self) -> str | None:
        return self._file.last_error

    def _rows(self) -> dict[int, FeatureRow]:
        return self._file.value or {}

    def refresh(self) -> None:
        self._file.refresh()

    def get(self, entity_id: int) -> FeatureRow | None:
        return (self._file.refresh() or {}).get(entity_id)

    def __len__(self) -> int:
        return len(self._rows())

    def entity_ids(self) -> list[int]:
        return sorted(self._rows())
