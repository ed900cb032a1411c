"""A value parsed from a file and parsed again whenever the file changes (its mtime, size or
inode): the demo services re-read their feature data and model this way, so a drill that
corrupts or replaces a file reaches them at once. A file that cannot be parsed keeps the last
good value and says why in ``last_error``."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
Stamp = tuple[int, int, int]


class WatchedFile(Generic[T]):
    def __init__(
        self,
        path: Path,
        parse: Callable[[Path], T],
        errors: tuple[type[Exception], ...],
        on_load: Callable[[T], None] = lambda value: None,
    ) -> None:
        self.path = path
        self.reloads = 0  # successful parses
        self.last_error: str | None = None
        self.value: T | None = None
        self._parse, self._errors, self._on_load = parse, errors, on_load
        self._lock = threading.Lock()
        self._stamp: Stamp | None = None

    def refresh(self) -> T | None:
        """Parse the file again if it changed; the current value (None before a good parse)."""
        with self._lock:
            stamp = _stat(self.path)
            if stamp == self._stamp and self.reloads:
                return self.value
            try:
                value = self._parse(self.path)
            except self._errors as exc:
                self.last_error = str(exc)
                return self.value
            self.value, self._stamp, self.last_error = value, stamp, None
            self.reloads += 1
            self._on_load(value)
            return value


def _stat(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)
