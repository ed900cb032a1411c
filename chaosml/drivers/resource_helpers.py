"""Start, find and stop the helper processes of the resource faults, on this machine or inside a
container (``docker exec``), and hold their leases.

A helper is ``python3 -c <chaosml/resource_helper.py> KIND MARKER key=value...``; the marker
(``chaosml-resource-<run_id>-<fault_id>``) is in its command line, which is how
:func:`stop_helpers` finds every helper of a fault — in a new process too (``chaosml rollback``,
the watchdog). While this process lives, a daemon thread sends each helper a heartbeat byte
every second; a helper whose heartbeat stops for ``LEASE_S`` exits by itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chaosml.drivers.docker_driver import DockerEngine
from chaosml.drivers.resource_cgroups import join
from chaosml.errors import DriverError
from chaosml.io import procfs

HELPER_SOURCE = (Path(__file__).resolve().parents[1] / "resource_helper.py").read_text()
LEASE_S = 5.0
HEARTBEAT_S = 1.0
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

# Prints "pid rss_kb" of every process whose command line holds argv[1] (not itself); with
# argv[2] == "kill" it SIGKILLs them first and lists what is left.
_FIND = """
import os, signal, sys, time
marker, kill = sys.argv[1], sys.argv[2] == "kill"
def found():
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            args = open(f"/proc/{name}/cmdline", "rb").read().split(b"\\0")
            status = open(f"/proc/{name}/status").read()
        except OSError:
            continue
        if marker.encode() in args and "State:\\tZ" not in status:
            rss = [l.split()[1] for l in status.splitlines() if l.startswith("VmRSS:")]
            out.append((int(name), int(rss[0]) if rss else 0))
    return out
if kill:
    for pid, _ in found():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while found() and time.monotonic() < deadline:
        time.sleep(0.05)
for pid, rss in found():
    print(pid, rss)
"""


@dataclass(frozen=True)
class HelperProcess:
    pid: int
    rss_bytes: int


class Lease(Protocol):
    def sendall(self, data: bytes) -> Any: ...

    def close(self) -> None: ...


class _PipeLease:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def sendall(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.poll()


class _Leases:
    """The leases this process holds, by marker, and the thread that renews them."""

    def __init__(self) -> None:
        self._held: dict[str, list[Lease]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, marker: str, lease: Lease) -> None:
        with self._lock:
            self._held.setdefault(marker, []).append(lease)
            if self._thread is None:
                self._thread = threading.Thread(target=self._renew, daemon=True, name="leases")
                self._thread.start()

    def release(self, marker: str) -> None:
        with self._lock:
            leases = self._held.pop(marker, [])
        for lease in leases:
            with contextlib.suppress(OSError):
                lease.close()

    def _renew(self) -> None:
        while True:
            time.sleep(HEARTBEAT_S)
            with self._lock:
                leases = [lease for held in self._held.values() for lease in held]
            for lease in leases:  # a helper gone already: its undo will say so
                with contextlib.suppress(OSError, ValueError):
                    lease.sendall(b".")


LEASES = _Leases()


class HelperHost(Protocol):
    """Where helpers run: this machine, or one container."""

    def start(self, marker: str, args: list[str]) -> None: ...

    def find(self, marker: str, kill: bool = False) -> list[HelperProcess]: ...


class LocalHost:
    """Helpers on this machine; with ``cgroups`` (the ``cgroup.procs`` files of a target
    process) each helper is moved into the target's cgroups right after it starts."""

    def __init__(self, python: str, cgroups: list[str] | None = None) -> None:
        self.python = python
        self.cgroups = cgroups or []

    def start(self, marker: str, args: list[str]) -> None:
        try:
            process = subprocess.Popen(
                [self.python, "-c", HELPER_SOURCE, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C to the runner is the runner's to handle
            )
        except OSError as exc:
            raise DriverError(f"cannot start the resource helper: {exc.strerror or exc}") from None
        LEASES.add(marker, _PipeLease(process))
        try:
            join(process.pid, self.cgroups)
        except DriverError:
            _kill(process.pid)
            raise

    def find(self, marker: str, kill: bool = False) -> list[HelperProcess]:
        pids = _local_pids(marker)
        if kill:
            for pid in pids:
                _kill(pid)
            procfs.wait_until(lambda: not _local_pids(marker), STOP_TIMEOUT_S)
            pids = _local_pids(marker)
        return [HelperProcess(pid, _rss(pid)) for pid in pids]


def _local_pids(marker: str) -> list[int]:
    wanted = marker.encode()
    found = []
    for pid in procfs.other_pids():
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in args and procfs.alive(pid):
            found.append(pid)
    return found


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(rss[0]) * 1024 if rss else 0


class ContainerHost:
    def __init__(self, container: str, python: str, engine: DockerEngine | None = None) -> None:
        self.container, self.python = container, python
        self.engine = engine or DockerEngine()

    def start(self, marker: str, args: list[str]) -> None:
        lease = self.engine.exec_leased(self.container, [self.python, "-c", HELPER_SOURCE, *args])
        LEASES.add(marker, lease)

    def find(self, marker: str, kill: bool = False) -> list[HelperProcess]:
        command = [self.python, "-c", _FIND, marker, "kill" if kill else "list"]
        code, output = self.engine.exec_run(self.container, command)
        if code != 0:
            raise DriverError(f"cannot list processes in container {self.container}: {output}")
        rows = [line.split() for line in output.splitlines() if line.strip()]
        return [HelperProcess(int(pid), int(rss) * 1024) for pid, rss in rows]

    def running(self) -> bool:
        state = self.engine.find(self.container)
        return state is not None and state.state == "running"
