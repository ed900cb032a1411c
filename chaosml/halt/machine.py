"""Where the machine-wide halt lives: one file every account on the host reads.

``CHAOSML_SYSTEM_HALT_DIR`` (default ``/var/lib/chaosml/halt``: it survives a reboot, unlike
``/run``) holds ``HALT``. The directory is world-writable with the sticky bit (``1777``, like
``/tmp``): root creates it once (``chaosml halt`` as root, or ``install -d -m 1777``); any
account can then set and clear the machine's halt.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from chaosml.halt.file_source import FileSource

SYSTEM_DIR_ENV = "CHAOSML_SYSTEM_HALT_DIR"
DEFAULT_SYSTEM_DIR = Path("/var/lib/chaosml/halt")
SHARED_DIR_MODE = 0o1777


def system_dir() -> Path:
    return Path(os.environ.get(SYSTEM_DIR_ENV) or DEFAULT_SYSTEM_DIR)


def machine_source() -> FileSource:
    return FileSource(system_dir() / "HALT", scope="machine", shared=True)


def prepare_shared_dir() -> Path:
    """Create the machine's halt directory (sticky, writable by every account) when missing;
    ``OSError`` when this account may not."""
    directory = system_dir()
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            os.chmod(directory, SHARED_DIR_MODE)
    return directory
