"""The journal: JSON lines, one event a line, flushed and fsync'd as the run goes.

``JournalWriter.write(event)`` takes an event class of ``chaosml.journal.events`` (the writer
sets its header: ``seq``, ``run_id``, ``mono``, ``wall``), writes it redacted and hands the
event as written to each observer.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pydantic import ValidationError

from chaosml.errors import InputError
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import CommandStarted
from chaosml.journal.parse import parse_event
from chaosml.journal.reader import MAX_LINE_BYTES, cut_short
from chaosml.redaction import Redactor

Observer = Callable[[JournalEvent], None]
E = TypeVar("E", bound=JournalEvent)
HEADER = ("event", "seq", "run_id", "mono", "wall")


class JournalWriter:
    """Writes events (redacted) and hands each to the observers; an observer's failure is
    reported once on stderr and never breaks the run."""

    def __init__(
        self,
        path: Path,
        run_id: str,
        redactor: Redactor,
        observers: list[Observer] | None = None,
        start_mono: float | None = None,
        first_seq: int = 0,
        append: bool = False,
    ) -> None:
        self.path = path
        self.run_id = run_id
        self.redact = redactor
        self.observers = list(observers or [])
        self.start_mono = time.monotonic() if start_mono is None else start_mono
        self.seq = first_seq
        self._lock = threading.Lock()
        self.written: list[JournalEvent] = []  # this writer's events, as written (in order)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.torn = _prepare(path, append)  # the torn last line cut off, if there was one
        self._file = path.open("a", encoding="utf-8")
        self._failed_observers: set[int] = set()

    def write(self, event: E) -> E:
        """Write one event (redacted, its header set); returns it as written."""
        fields = event.model_dump(exclude_unset=True, exclude=set(HEADER))
        with self._lock:
            record = {
                "event": event.event,
                "seq": self.seq,
                "run_id": self.run_id,
                "mono": round(time.monotonic() - self.start_mono, 6),
                "wall": time.time(),
            }
            record.update(self.redact(_jsonable(fields)))
            self.seq += 1
            self._file.write(json.dumps(record, default=str) + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        written = _as_written(event, record)
        self.written.append(written)
        self._notify(written)
        return written

    def emit(self, event: str, **fields: Any) -> JournalEvent:
        """An event given by its kind and fields (checked by its class; an unknown kind is
        written as it is). Prefer ``write`` with the event's class."""
        return self.write(parse_event({**fields, "event": event}))

    def command_started(self, pgid: int, start_time: str, command: str) -> None:
        """A command's process group, journaled before the command starts (write-ahead), so that
        ``chaosml rollback`` can kill it if the runner dies while it runs."""
        self.write(CommandStarted(pgid=pgid, start_time=start_time, command=command))

    def _notify(self, record: JournalEvent) -> None:
        for index, observer in enumerate(self.observers):
            try:
                observer(record)
            except Exception as exc:  # an observer never breaks a run
                if index not in self._failed_observers:
                    self._failed_observers.add(index)
                    print(
                        f"chaosml: observer {observer!r} failed: {exc}",
                        file=__import__("sys").stderr,
                    )

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


def _as_written(event: E, record: dict[str, Any]) -> E:
    """The event with its header and redacted fields (as it was when made, should the line not
    read back as one: a number written as "inf")."""
    try:
        return type(event).model_validate(record)
    except ValidationError:
        return event.model_copy(update={k: record[k] for k in HEADER})


def _prepare(path: Path, append: bool) -> TornTail | None:
    """Refuse a journal that already holds events unless appending; cut a torn last line off,
    so that what is written next starts on a line of its own."""
    with path.open("ab") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size and not append:
            raise InputError(
                f"{path} already holds a journal ({size} bytes)",
                hint="give a new --journal path, or --append-journal to add this run to it",
            )
        return _cut_torn_tail(path, handle, size) if size else None


@dataclass(frozen=True)
class TornTail:
    offset: int  # where the torn line began
    size: int  # its length in bytes


def _cut_torn_tail(path: Path, handle: BinaryIO, size: int) -> TornTail | None:
    with path.open("rb") as reader:
        reader.seek(max(0, size - MAX_LINE_BYTES))
        tail = reader.read()
    if tail.endswith(b"\n"):
        return None
    start = size - len(tail) + tail.rfind(b"\n") + 1
    fragment = tail[tail.rfind(b"\n") + 1 :]
    if not cut_short(fragment):
        handle.write(b"\n")  # a whole event, only its newline missing
        handle.flush()
        return None
    os.ftruncate(handle.fileno(), start)
    os.fsync(handle.fileno())
    return TornTail(start, len(fragment))


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None if math.isnan(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
