"""The host's index of runs that may have faults in place: one small JSON file per run in
``CHAOSML_RUNS_DIR`` (default ``~/.cache/chaosml/runs``), written before the run's first fault
and removed when the run ended and nothing of it is pending. ``chaosml reap`` reads it to find
the runs that died with their watchdog."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RUNS_ENV = "CHAOSML_RUNS_DIR"


@dataclass(frozen=True)
class RunEntry:
    run_id: str
    journal: str  # absolute path
    pid: int
    pid_start: str
    host: str
    watchdog_pid: int = 0
    watchdog_start: str = ""


def runs_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    configured = env.get(RUNS_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "chaosml" / "runs"


def entry_path(run_id: str, directory: Path | None = None) -> Path:
    return (directory or runs_dir()) / f"{run_id}.json"


def record(entry: RunEntry, directory: Path | None = None) -> Path:
    path = entry_path(entry.run_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(entry)))
    partial.replace(path)
    return path


def forget(run_id: str, directory: Path | None = None) -> None:
    with contextlib.suppress(OSError):
        entry_path(run_id, directory).unlink()


def entries(directory: Path | None = None) -> list[tuple[Path, RunEntry | None]]:
    """Every entry (None for a file that is not one), oldest name first."""
    folder = directory or runs_dir()
    if not folder.is_dir():
        return []
    return [(path, _read(path)) for path in sorted(folder.glob("*.json"))]


def _read(path: Path) -> RunEntry | None:
    try:
        raw = json.loads(path.read_text())
        return RunEntry(**raw) if isinstance(raw, dict) else None
    except (OSError, ValueError, TypeError):
        return None
