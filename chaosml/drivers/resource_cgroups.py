"""Where a local resource helper goes so that it counts as its target process: that process's
cgroups (cgroup v2's unified one, or v1's ``memory`` / ``cpu``+``cpuacct`` ones).

A memory leak in a service is charged to the service's cgroup, and its memory limit and the
alerts on it see it; a helper that only ran on the same host would load the host, not the
service. ``cgroup_procs(pid, controllers)`` names the ``cgroup.procs`` files the helper's pid
is written to right after it starts (it has allocated at most one tick by then).
"""

from __future__ import annotations

from pathlib import Path

from chaosml.errors import DriverError

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = {"memory": ("memory",), "cpu": ("cpu", "cpuacct")}


def cgroup_procs(pid: int, kind: str, root: Path = ROOT) -> list[str]:
    """The ``cgroup.procs`` files of ``pid``'s cgroups that account ``kind`` (memory or cpu);
    DriverError when the process is gone or its cgroups cannot be found."""
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError as exc:
        raise DriverError(f"cannot read the cgroups of process {pid}: {exc.strerror}") from None
    found = procs_files(text, kind, root, unified=(root / "cgroup.controllers").exists())
    if not found:
        raise DriverError(f"process {pid} is in no {kind} cgroup chaosml can find under {root}")
    return found


def procs_files(text: str, kind: str, root: Path, *, unified: bool) -> list[str]:
    """``/proc/PID/cgroup`` text → the ``cgroup.procs`` files to join (v2: the one unified
    cgroup; v1: the hierarchies of ``kind``'s controllers, mounted under ``root/NAMES``)."""
    entries = [line.split(":", 2) for line in text.splitlines() if line.count(":") >= 2]
    if unified:
        return [str(root / p.lstrip("/") / "cgroup.procs") for hid, _, p in entries if hid == "0"]
    found = []
    for wanted in CONTROLLERS[kind]:
        for _, names, path in entries:
            if wanted in names.split(","):
                found.append(str(root / names / path.lstrip("/") / "cgroup.procs"))
                break
    return list(dict.fromkeys(found))


def join(pid: int, procs_files: list[str]) -> None:
    """Move ``pid`` into each cgroup; DriverError naming the file that refused it."""
    for procs in procs_files:
        try:
            Path(procs).write_text(f"{pid}\n")
        except OSError as exc:
            raise DriverError(
                f"cannot place the resource helper in the target's cgroup ({procs}): "
                f"{exc.strerror or exc}",
                hint="moving a process between cgroups needs root (or a delegated cgroup)",
            ) from None
