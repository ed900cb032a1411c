"""The journal: JSON lines, one event a line, flushed and fsync'd as the run goes."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from chaosml.errors import InputError
from chaosml.redaction import Redactor
from chaosml.reporting.journal_file import MAX_LINE_BYTES, cut_short

Event = dict[str, Any]
Observer = Callable[[Event], None]


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
        path.parent.mkdir(parents=True, exist_ok=True)
        self.torn = _prepare(path, append)  # the torn last line cut off, if there was one
        self._file = path.open("a", encoding="utf-8")
        self._failed_observers: set[int] = set()

    def emit(self, event: str, **fields: Any) -> Event:
        with self._lock:
            record = {
                "event": event,
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
        self._notify(record)
        return record

    def command_started(self, pgid: int, start_time: str, command: str) -> None:
        """A command's process group, journaled before the command starts (write-ahead), so that
        ``chaosml rollback`` can kill it if the runner dies while it runs."""
        self.emit("command.started", pgid=pgid, start_time=start_time, command=command)

    def _notify(self, record: Event) -> None:
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


def read_events(path: Path) -> list[Event]:
    """Every event of a journal; a torn last line (the runner was killed mid-write) is skipped."""
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
