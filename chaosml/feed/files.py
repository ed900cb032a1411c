"""Corrupt a CSV or JSONL feature file's text: one record per line, untouched lines kept as-is.

CSV cells that look like numbers are corrupted as numbers and written back in Python's short
form; ``null``/``drop_field`` leave an empty cell (a CSV row cannot omit a cell), ``rename_field``
moves the value into a new column (added to the header). Fields are column names (``age``) or
``$.age``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from chaosml.feed.corruptor import FeedCorruptor
from chaosml.feed.encoding import BYTES_ERRORS
from chaosml.feed.modes import is_number
from chaosml.feed.paths import find_slots


def corrupt_text(text: str, suffix: str, corruptor: FeedCorruptor) -> tuple[str, int]:
    """The corrupted file text and the records changed; ``suffix`` is ``.csv`` or ``.jsonl``."""
    if suffix in {".jsonl", ".ndjson"}:
        return corrupt_jsonl(text, corruptor)
    if suffix == ".csv":
        return corrupt_csv(text, corruptor)
    raise ValueError(f"feed files must be .csv or .jsonl, got {suffix!r}")


def slice_flags(text: str, suffix: str, corruptor: FeedCorruptor) -> list[bool]:
    """For each record line (not the CSV header, not blank lines): is it in the slice?"""
    return [corruptor.touches_slice(doc) for doc in records_of(text, suffix)]


def records_of(text: str, suffix: str) -> list[Any]:
    """Each record line as a document (a CSV row as ``{column: value}``); blank lines skipped,
    a JSONL line that is not JSON is an empty document."""
    lines = [line for line in text.splitlines() if line.strip()]
    if suffix == ".csv":
        header = next(csv.reader(lines[:1]), [])
        return [_csv_record(header, line) for line in lines[1:]]
    return [_json_or_empty(line) for line in lines]


def _csv_record(header: list[str], line: str) -> dict[str, Any]:
    cells = next(csv.reader([line]))
    return {name: _parse_cell(cell) for name, cell in zip(header, cells, strict=False)}


def _json_or_empty(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return {}


def absent_fields(text: str, suffix: str, paths: list[str]) -> list[str]:
    """The paths no record of ``text`` has (a CSV's columns are its header's names)."""
    if suffix == ".csv":
        header = next(csv.reader(text.splitlines()[:1]), [])
        docs: list[Any] = [dict.fromkeys(header)]
    else:
        docs = records_of(text, suffix)
    return [path for path in paths if not any(find_slots(doc, path) for doc in docs)]


def corrupt_jsonl(text: str, corruptor: FeedCorruptor) -> tuple[str, int]:
    out: list[str] = []
    total = 0
    for line in text.splitlines(keepends=True):
        rewritten, changed = _corrupt_json_line(line, corruptor)
        out.append(rewritten)
        total += changed
    return "".join(out), total


def _corrupt_json_line(line: str, corruptor: FeedCorruptor) -> tuple[str, int]:
    if not line.strip():
        return line, 0
    result = corruptor.corrupt_bytes(line.encode("utf-8", BYTES_ERRORS))
    if result is None or not result[1]:
        return line, 0
    ending = line[len(line.rstrip("\r\n")) :]
    return result[0].decode("utf-8", BYTES_ERRORS) + ending, result[1]


def corrupt_csv(text: str, corruptor: FeedCorruptor) -> tuple[str, int]:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text, 0
    header = next(csv.reader([lines[0]]))
    columns = list(header)
    rows: list[str] = []
    total = 0
    for line in lines[1:]:
        rewritten, changed = _corrupt_csv_line(line, header, columns, corruptor)
        rows.append(rewritten)
        total += changed
    head = lines[0] if columns == header else _csv_line(columns, _ending(lines[0]))
    return head + "".join(rows), total


def _corrupt_csv_line(
    line: str, header: list[str], columns: list[str], corruptor: FeedCorruptor
) -> tuple[str, int]:
    if not line.strip():
        return line, 0
    record = _csv_record(header, line)
    if not corruptor.corrupt(record):
        return line, 0
    columns.extend(key for key in record if key not in columns)
    return _csv_line([_format_cell(record.get(name)) for name in columns], _ending(line)), 1


def _parse_cell(cell: str) -> Any:
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


def _format_cell(value: Any) -> str:
    if value is None:
        return ""
    if is_number(value) and math.isnan(value):
        return "nan"
    if isinstance(value, str):
        return value
    return json.dumps(value) if not is_number(value) else repr(value)


def _csv_line(cells: list[str], ending: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending or "\n").writerow(cells)
    return buffer.getvalue()


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]
