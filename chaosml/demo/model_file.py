"""The model server's model: loaded from its JSON file and re-loaded when the file changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chaosml.demo import model as artifact
from chaosml.demo.watched_file import WatchedFile


class ModelFileError(Exception):
    """The model file cannot be read or is not a model."""


def load_model(path: Path) -> artifact.ModelArtifact:
    try:
        return artifact.load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"cannot load {path}: {exc}") from exc


class ModelFile:
    """``current()`` is the model in ``path``; a file that cannot be read keeps the last one.
    The first load must succeed (ModelFileError otherwise)."""

    def __init__(self, path: Path, on_load: Callable[[artifact.ModelArtifact], None]) -> None:
        self.path = path
        self._file = WatchedFile(path, load_model, (ModelFileError,), on_load)
        if self._file.refresh() is None:
            raise ModelFileError(self._file.last_error or f"cannot load {path}")

    @property
    def last_error(self) -> str | None:
        return self._file.last_error

    def current(self) -> artifact.ModelArtifact:
        model = self._file.refresh()
        assert model is not None  # the first load succeeded, later failures keep it
        return model
