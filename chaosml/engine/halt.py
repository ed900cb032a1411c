"""The halt switch: a file whose presence aborts running experiments and refuses new ones."""

from __future__ import annotations

import os
import time
from pathlib import Path

HALT_FILE_ENV = "CHAOSML_HALT_FILE"


def halt_file() -> Path:
    configured = os.environ.get(HALT_FILE_ENV)
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return base / "chaosml" / "HALT"


def is_halted(path: Path | None = None) -> bool:
    return (path or halt_file()).exists()


def set_halt(reason: str, path: Path | None = None) -> Path:
    target = path or halt_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    target.write_text(f"halted at {stamp} by pid {os.getpid()}: {reason}\n")
    return target


def clear_halt(path: Path | None = None) -> bool:
    target = path or halt_file()
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True


def halt_reason(path: Path | None = None) -> str:
    try:
        return (path or halt_file()).read_text().strip()
    except OSError:
        return ""
