"""Starting the watchdog process (runner side): ``python -m chaosml.watchdog`` in a session of
its own (``setsid``: a signal to the runner's process group or terminal does not reach it),
its stdin a pipe only the runner holds, its stderr appended to ``JOURNAL.watchdog.log``."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from chaosml.io import procfs
from chaosml.watchdog.watch import READY, Watch

READY_TIMEOUT_S = 10.0


class WatchdogError(Exception):
    """The watchdog did not start."""


@dataclass
class WatchdogProcess:
    proc: subprocess.Popen[bytes]
    start_time: str
    ready_s: float  # how long the run waited for it
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def release(self) -> None:
        """The run ended (its ``run.end`` is on disk): close the pipe; the watchdog exits."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        # not waited for (the run goes on at once); subprocess reaps it later, no zombie stays
        with contextlib.suppress(OSError):
            if self.log.stat().st_size == 0:
                self.log.unlink()  # a run that ended well leaves no empty log beside its journal


def start_watchdog(watch: Watch) -> WatchdogProcess:
    began = time.monotonic()
    log = watch.journal.with_name(watch.journal.name + ".watchdog.log")
    with log.open("ab") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chaosml.watchdog", *watch.argv()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
            close_fds=True,
        )
    try:
        _wait_ready(proc)
    except WatchdogError:
        proc.kill()
        proc.wait()
        raise
    return WatchdogProcess(proc, procfs.start_time(proc.pid), time.monotonic() - began, log)


def _wait_ready(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + READY_TIMEOUT_S
    seen = b""
    while READY not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise WatchdogError(f"no 'ready' from the watchdog in {READY_TIMEOUT_S:g}s")
        chunk = os.read(fd, 64)
        if not chunk:
            raise WatchdogError(f"the watchdog exited at start (exit {proc.wait()})")
        seen += chunk
    proc.stdout.close()
