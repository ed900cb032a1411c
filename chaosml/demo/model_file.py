"""The model server's model: loaded from its JSON file and re-loaded when the file changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from chaosml.demo import model as artifact


class ModelFile:
    """``current()`` is the model in ``path``; a file that cannot be read keeps the last one."""

    def __init__(self, path: Path, on_load: Callable[[artifact.ModelArtifact], None]) -> None:
        self.path = path
        self.last_error: str | None = None
        self._on_load = on_load
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._model = artifact.load(path)
        on_load(self._model)

    def current(self) -> artifact.ModelArtifact:
        with self._lock:
            stamp = self._stat()
            if stamp != self._stamp:
                self._reload(stamp)
            return self._model

    def _reload(self, stamp: tuple[int, int, int] | None) -> None:
        try:
            model = artifact.load(self.path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.last_error = f"cannot load {self.path}: {exc}"
            return
        self._model, self._stamp, self.last_error = model, stamp, None
        self._on_load(model)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)
