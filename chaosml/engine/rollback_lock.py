"""One ``chaosml rollback`` at a time per journal: an exclusive ``flock`` on ``JOURNAL.lock``,
which holds the pid of the rollback that has it. The lock file is left in place (removing a
lock file others may be waiting on is a race); the lock itself goes with the process."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from chaosml.errors import InputError


def lock_path(journal: Path) -> Path:
    return journal.with_name(journal.name + ".lock")


@contextlib.contextmanager
def rollback_lock(
    journal: Path, wait: float = 0.0, notice: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the journal's rollback lock, or raise InputError naming the pid that holds it
    after trying for up to ``wait`` seconds (``notice`` hears once that it is waiting)."""
    path = lock_path(journal)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"cannot lock {journal}: {path}: {exc.strerror or exc}") from exc
    try:
        _take_within(fd, journal, path, wait, notice)
        yield
    finally:
        os.close(fd)


def _take_within(
    fd: int, journal: Path, path: Path, wait: float, notice: Callable[[str], None] | None
) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            return _take(fd, journal, path)
        except InputError as exc:
            if time.monotonic() >= deadline:
                raise
            if notice is not None:
                notice(f"{exc.message}: waiting up to {wait:g} s for it to finish")
                notice = None
        time.sleep(0.05)


def _take(fd: int, journal: Path, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        raise InputError(
            f"another chaosml rollback (pid {holder}) is working on {journal}",
            hint=f"wait for it to finish; the lock is {path}",
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
