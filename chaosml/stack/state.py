"""What ``chaosml stack up`` leaves behind for ``stack down`` and for the user, in one directory
(``.chaosml/`` by default):

- ``stack.json`` — the holder process (pid, start time, session id), its status (``starting``,
  ``up``), the stack's work directory, the pid of each process it started, its variables and
  a description;
- ``stack.env`` — the variables as ``export NAME='value'`` lines: ``. .chaosml/stack.env``;
- ``stack.log`` — the holder's output (the services log into their own work directory).
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chaosml.io import procfs

STATE_FILE, ENV_FILE, LOG_FILE = "stack.json", "stack.env", "stack.log"
HOLDER_MODULE = "chaosml.stack.holder"


@dataclass
class StackState:
    pid: int
    session: str
    started: str = ""  # the holder's start time (procfs.start_time): with pid, one process
    status: str = "starting"
    root: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    describe: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    processes: dict[str, int] = field(default_factory=dict)  # role -> pid, as started

    def holder_alive(self) -> bool:
        """The recorded holder still runs (same pid, same start, its command line)."""
        return (
            procfs.alive(self.pid)
            and procfs.start_time(self.pid) == self.started
            and HOLDER_MODULE in procfs.command_line(self.pid)
        )


def read_state(state_dir: Path) -> StackState | None:
    """The recorded state, or None when there is none or it is unreadable (a torn write)."""
    try:
        data: dict[str, Any] = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return StackState(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_state(state_dir: Path, state: StackState) -> None:
    """Write ``stack.json`` atomically (a reader never sees half a file)."""
    _write_atomic(state_dir / STATE_FILE, json.dumps(asdict(state), indent=2) + "\n")
    if state.variables:
        _write_atomic(state_dir / ENV_FILE, render_env(state.variables))


def remove_state(state_dir: Path) -> None:
    for name in (STATE_FILE, ENV_FILE):
        (state_dir / name).unlink(missing_ok=True)


def render_env(variables: dict[str, str]) -> str:
    """``export NAME='value'`` lines, for ``.`` in a shell or ``eval "$(chaosml stack up)"``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables.items())


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
