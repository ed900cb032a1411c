"""A journal file read line by line, bounded, checked, with its torn last line set apart.

The writer fsyncs each event as one line, so a crash (SIGKILL, power loss) can leave at most the
last line cut short: that line has no newline and is not a whole event. It is reported as
``torn`` and otherwise treated as absent. Anything else that is not a journal event (bad JSON,
bytes that are not UTF-8, a key missing, a field of the wrong type, a file too big) is an
``InputError`` naming the file and the line. Each event is read into its class
(``chaosml.journal.events``), an old format upgraded on the way (``chaosml.journal.upgrade``).
This is the only place a journal file is read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from chaosml.errors import InputError
from chaosml.journal.base import JournalEvent
from chaosml.journal.parse import EventProblem, parse_event, problem

MAX_JOURNAL_BYTES = 128 * 2**20
MAX_LINE_BYTES = 8 * 2**20


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    event: JournalEvent


@dataclass(frozen=True)
class Torn:
    """A last line cut short by a crash: where it starts and how long it is."""

    number: int
    offset: int
    size: int


@dataclass(frozen=True)
class JournalLines:
    path: Path
    lines: list[Line]
    torn: Torn | None
    size: int

    @property
    def events(self) -> list[JournalEvent]:
        return [line.event for line in self.lines]


def read_lines(path: str | Path) -> JournalLines:
    """Every event of a journal with its line number; raises InputError (exit 2) otherwise."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return _read(path, handle)
    except OSError as exc:
        raise InputError(f"cannot read journal {path}: {exc.strerror or exc}") from exc


def _read(path: Path, handle: BinaryIO) -> JournalLines:
    size = _size(path, handle)
    lines: list[Line] = []
    offset = 0
    torn = None
    for number, raw in enumerate(handle, 1):
        if not raw.endswith(b"\n") and cut_short(raw):
            torn = Torn(number, offset, len(raw))
            break
        offset += len(raw)
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"{path}:{number}: a line of {len(raw)} bytes is over the limit")
        event = _event(path, number, raw)
        if event is not None:
            lines.append(Line(number, event))
    return JournalLines(path, lines, torn, size)


def _size(path: Path, handle: BinaryIO) -> int:
    size = os.fstat(handle.fileno()).st_size
    if size > MAX_JOURNAL_BYTES:
        raise InputError(
            f"{path}: {size} bytes is over the journal size limit "
            f"({MAX_JOURNAL_BYTES // 2**20} MiB); is it really a chaosml journal?"
        )
    return size


def cut_short(raw: bytes) -> bool:
    """A last line without its newline that is not one whole event: written half-way."""
    try:
        event = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return True
    return not isinstance(event, dict) or problem(event) is not None


def _event(path: Path, number: int, raw: bytes) -> JournalEvent | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}:{number}: not UTF-8 text (byte {exc.start + 1})") from None
    if not text.strip():
        return None
    try:
        event = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}:{number}: not a JSON journal event: {_why(exc)}") from None
    if not isinstance(event, dict):
        raise InputError(f"{path}:{number}: not a journal event (no 'event' field)")
    try:
        return parse_event(event)
    except EventProblem as exc:
        raise InputError(f"{path}:{number}: {exc}") from None


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:200]


def load_events(path: str | Path) -> list[JournalEvent]:
    """The events of a journal that begins with ``run.start``; a torn last line is ignored."""
    found = read_lines(path)
    if not found.lines:
        raise InputError(f"{path} is not a chaosml journal: it is empty (no run.start event)")
    if found.lines[0].event.event != "run.start":
        raise InputError(
            f"{path}:{found.lines[0].number}: not a chaosml journal: "
            "it does not begin with run.start"
        )
    _check_runs(found)
    return found.events


def _check_runs(found: JournalLines) -> None:
    """Every event belongs to a run the journal started (before it)."""
    started: set[str] = set()
    for line in found.lines:
        run_id = line.event.run_id
        if line.event.event == "run.start" and isinstance(run_id, str):
            started.add(run_id)
        elif run_id is not None and run_id not in started:
            raise InputError(
                f"{found.path}:{line.number}: an event of run {run_id}, "
                "which no earlier run.start began"
            )
