"""The helper process of ``resource.memory`` and ``resource.cpu``: standard library only, so that
its source runs as ``python3 -c SOURCE`` inside a container that has no chaosml.

``python3 resource_helper.py memory MARKER rate=BYTES_PER_S ceiling=BYTES max_seconds=S``
grows its resident memory (pages written, not just reserved) at ``rate`` up to ``ceiling``,
then holds it. ``... cpu MARKER workers=N max_seconds=S [nice=N]`` keeps N processes busy.

It never outlives what started it:
- **a lease on stdin**: the runner sends a byte every second (over a pipe, or the attached
  ``docker exec`` connection); the helper exits when its stdin ends or stays silent for
  ``lease_s`` seconds — the runner died, even by SIGKILL (Docker keeps an exec's stdin open
  after its client is gone, so silence is the signal there);
- **a deadline**: it exits after ``max_seconds`` whatever happens (the run's ``max_duration``);
- CPU workers die with the helper (``PR_SET_PDEATHSIG``).
``MARKER`` (in its command line) is how the undo finds every helper process to kill.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time

TICK_S = 0.1


def main(argv: list[str]) -> None:
    kind, _marker = argv[0], argv[1]
    options = dict(arg.split("=", 1) for arg in argv[2:])
    deadline = time.monotonic() + float(options["max_seconds"])
    _watch_lease(float(options.get("lease_s", 5)))
    if kind == "memory":
        _grow(int(options["rate"]), int(options["ceiling"]), deadline)
    else:
        _burn(int(options["workers"]), deadline, int(options.get("nice", 0)))


def _watch_lease(lease_s: float) -> None:
    def watch() -> None:
        try:
            while select.select([0], [], [], lease_s)[0] and os.read(0, 4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _grow(rate: int, ceiling: int, deadline: float) -> None:
    held: list[bytes] = []
    size = 0
    while time.monotonic() < deadline:
        if size < ceiling:
            chunk = min(ceiling - size, max(1, int(rate * TICK_S)))
            held.append(b"\x01" * chunk)  # written pages: resident, not just reserved
            size += chunk
        time.sleep(TICK_S)


def _burn(workers: int, deadline: float, nice: int) -> None:
    os.nice(nice)  # a drill may keep the service itself responsive
    for _ in range(workers - 1):
        if os.fork() == 0:
            _die_with_parent()
            break
    while time.monotonic() < deadline:
        pass


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
