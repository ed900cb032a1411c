"""resource.memory and resource.cpu inside real containers (``docker exec``): the container's
cgroup takes the memory and CPU, the undo leaves no helper in its process table and the
container running, and a helper whose runner was SIGKILLed (no watchdog) ends by its lease."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chaosml.drivers.resource_driver import ResourceCpu, ResourceMemory
from chaosml.drivers.resource_helpers import ContainerHost
from tests.fixtures.docker_env import Container, ContainerFactory, docker
from tests.integration.core.interrupts import events
from tests.integration.docker.helpers import ctx_for, params

pytestmark = pytest.mark.docker

MIB = 1024 * 1024
PYTHON = "/usr/bin/python3"
IDLE = [PYTHON, "-c", "import time; time.sleep(600)"]


def _wait(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _cgroup_memory(box: Container) -> int:
    return int(docker("exec", box.id, "cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes"))


def _cgroup_cpu_ns(box: Container) -> int:
    return int(docker("exec", box.id, "cat", "/sys/fs/cgroup/cpuacct/cpuacct.usage"))


def _helpers(box: Container, marker: str) -> list[int]:
    return [p.pid for p in ContainerHost(box.id, PYTHON).find(marker)]


def test_memory_in_each_container_of_the_target(containers: ContainerFactory) -> None:
    a, b = containers.run(http=False, command=IDLE), containers.run(http=False, command=IDLE)
    before = {box.id: _cgroup_memory(box) for box in (a, b)}
    fault, ctx = ResourceMemory(), ctx_for(a, b)
    p = params(fault, target="t", rate="200MiB/s", ceiling="96MiB", python=PYTHON)
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    for box in (a, b):
        _wait(lambda box=box: _cgroup_memory(box) - before[box.id] >= 90 * MIB, "96 MiB")
    evidence = fault.undo_evidence(record, ctx)
    assert evidence is not None and evidence.counters["helpers"] == 2
    fault.undo(record, ctx_for())
    for box in (a, b):
        assert _helpers(box, record.data["marker"]) == []
        assert box.state() == "running"
        _wait(lambda box=box: _cgroup_memory(box) - before[box.id] < 30 * MIB, "memory freed")


def test_cpu_in_a_container_and_undo(containers: ContainerFactory) -> None:
    box = containers.run(http=False, command=IDLE)
    fault, ctx = ResourceCpu(), ctx_for(box)
    p = params(fault, target="t", cores=1, python=PYTHON)
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    start = _cgroup_cpu_ns(box)
    _wait(lambda: _cgroup_cpu_ns(box) - start >= 500_000_000, "0.5 s of CPU in the cgroup")
    fault.undo(record, ctx)
    assert _helpers(box, record.data["marker"]) == []
    assert box.state() == "running"


EXPERIMENT = """version: 1
title: memory helper in a container held while the run waits
blast_radius:
  max_duration: 5m
  targets:
    box:
      docker: {{name: "^{name}$"}}
      require_label: null
method:
  - fault: resource.memory
    target: box
    rate: 100MiB/s
    ceiling: 32MiB
    python: {python}
  - wait: 120s
"""


def test_the_helper_ends_by_its_lease_after_the_runner_is_killed(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    box = containers.run(http=False, command=IDLE)
    exp = tmp_path / "exp.yaml"
    exp.write_text(EXPERIMENT.format(name=box.name, python=PYTHON))
    journal = tmp_path / "run.jsonl"
    env = {
        **os.environ,
        "CHAOSML_LOCK_DIR": str(tmp_path / "locks"),
        "CHAOSML_HALT_FILE": str(tmp_path / "H"),
    }
    args = [
        sys.executable,
        "-m",
        "chaosml",
        "run",
        str(exp),
        "--journal",
        str(journal),
        "--no-watchdog",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    marker = ""
    try:
        _wait(lambda: any(e["event"] == "fault.applied" for e in events(journal)), "the fault")
        planned = [e for e in events(journal) if e["event"] == "fault.undo_registered"]
        marker = str(planned[0]["undo"]["data"]["marker"])
        assert _helpers(box, marker)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        killed = time.monotonic()
        _wait(lambda: not _helpers(box, marker), "the lease to run out", timeout=12)
        assert time.monotonic() - killed < 10  # lease 5 s + the helper's own tick
        assert box.state() == "running"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if marker:
            ContainerHost(box.id, PYTHON).find(marker, kill=True)
