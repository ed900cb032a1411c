"""The watchdog process: ``python -m chaosml.watchdog JOURNAL RUN_ID PID PID_START TIMEOUT
ATTEMPTS``, started by the runner before its first fault, in a session of its own.

Its stdin is a pipe whose other end only the runner holds: the runner closes it when the run
ended (after ``run.end`` is on disk), the kernel closes it when the runner dies, however it
dies. The watchdog wakes on that at once, and also checks every 200 ms that the runner (pid and
start time, so a reused pid is not taken for it) still lives. When the runner is gone and the
journal has no ``run.end`` of its run, it rolls the run back (``takeover``) and exits; when the
run ended, it just exits. It ignores SIGINT, SIGHUP and SIGPIPE (meant for the runner's
terminal); SIGTERM and SIGKILL stop it as any process.

Imports stay few here (the run waits for "ready"): the rollback machinery is imported only
when it is needed.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from chaosml.io import procfs

POLL_S = 0.2
READY = b"ready\n"


@dataclass(frozen=True)
class Watch:
    journal: Path
    run_id: str
    pid: int
    pid_start: str
    undo_timeout: float
    undo_attempts: int

    @classmethod
    def parse(cls, argv: list[str]) -> Watch:
        journal, run_id, pid, pid_start, timeout, attempts = argv
        return cls(Path(journal), run_id, int(pid), pid_start, float(timeout), int(attempts))

    def argv(self) -> list[str]:
        return [
            str(self.journal),
            self.run_id,
            str(self.pid),
            self.pid_start,
            f"{self.undo_timeout:g}",
            str(self.undo_attempts),
        ]

    def runner_alive(self) -> bool:
        return procfs.alive(self.pid) and procfs.start_time(self.pid) == self.pid_start


def main(argv: list[str]) -> int:
    watch = Watch.parse(argv)
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    _say_ready()
    gone_wall = wait_for_runner(watch)
    if run_ended(watch.journal, watch.run_id):
        return 0
    from chaosml.watchdog.takeover import take_over

    return take_over(watch, gone_wall)


def _say_ready() -> None:
    with contextlib.suppress(OSError):  # the runner may have died while it waited for this
        os.write(1, READY)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the runner stops reading; nothing more goes there
    os.close(devnull)


def wait_for_runner(watch: Watch) -> float:
    """Block until the runner is gone, or ended its run; the Unix time it was seen gone."""
    pipe_open = True
    while True:
        if pipe_open and _pipe_closed(POLL_S):
            pipe_open = False
            if run_ended(watch.journal, watch.run_id):
                return time.time()
        elif not pipe_open:
            time.sleep(POLL_S)  # the runner closed the pipe without run.end: watch its pid
        if not watch.runner_alive():
            return time.time()


def _pipe_closed(timeout: float) -> bool:
    ready, _, _ = select.select([0], [], [], timeout)
    return bool(ready) and not os.read(0, 512)


def run_ended(journal: Path, run_id: str) -> bool:
    """The journal holds this run's ``run.end`` (a cheap scan: no JSON parsed but those lines)."""
    import json

    try:
        text = journal.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if '"run.end"' in line and run_id in line:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "run.end" and event.get("run_id") == run_id:
                return True
    return False


if __name__ == "__main__":  # pragma: no cover - the module is run through __main__.py
    sys.exit(main(sys.argv[1:]))
