"""resource.memory and resource.cpu on this machine, with real helper processes: they take what
they say, the undo leaves none in the process table, they never outlive the runner (SIGKILL
with and without the watchdog, SIGINT), their own deadline, and the host-share refusal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.resource_driver import CpuParams, MemoryParams, ResourceCpu, ResourceMemory
from chaosml.drivers.resource_helpers import LocalHost
from chaosml.drivers.resource_limits import host_memory_bytes
from tests.integration.core.interrupts import events
from tests.integration.docker.cli import chaosml

MIB = 1024 * 1024


def _ctx(fault_id: str, ends_in: float | None = None) -> DriverContext:
    ends = time.time() + ends_in if ends_in is not None else None
    return DriverContext(run_id=f"res{time.monotonic_ns()}", fault_id=fault_id, faults_end_by=ends)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _helpers(marker: str) -> list[int]:
    return [p.pid for p in LocalHost(sys.executable).find(marker)]


@pytest.fixture
def cleanup() -> Iterator[list[str]]:
    """Markers whose helpers are killed after the test, whatever happened."""
    markers: list[str] = []
    yield markers
    for marker in markers:
        LocalHost(sys.executable).find(marker, kill=True)


def test_memory_grows_to_the_ceiling_and_the_undo_leaves_no_helper(cleanup: list[str]) -> None:
    fault, ctx = ResourceMemory(), _ctx("m0", ends_in=60)
    params = MemoryParams.model_validate(
        {"rate": "200MiB/s", "ceiling": "64MiB", "python": sys.executable}
    )
    record = fault.plan(params, ctx)
    cleanup.append(record.data["marker"])
    assert not _helpers(record.data["marker"])  # plan starts nothing
    fault.apply(params, ctx)
    host = LocalHost(sys.executable)
    _wait(lambda: sum(p.rss_bytes for p in host.find(record.data["marker"])) >= 64 * MIB, "64 MiB")
    evidence = fault.undo_evidence(record, ctx)
    assert (
        evidence is not None and evidence.effect and int(evidence.counters["rss_bytes"]) >= 64 * MIB
    )
    assert sum(p.rss_bytes for p in host.find(record.data["marker"])) < 80 * MIB  # the ceiling
    replayed = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    ResourceMemory().undo(replayed, _ctx("other"))
    assert not _helpers(record.data["marker"])
    ResourceMemory().undo(replayed, _ctx("other"))  # idempotent


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_cpu_workers_burn_and_are_gone_after_the_undo(cleanup: list[str]) -> None:
    fault, ctx = ResourceCpu(), _ctx("m1", ends_in=60)
    params = CpuParams.model_validate({"cores": 1, "python": sys.executable})
    record = fault.plan(params, ctx)
    cleanup.append(record.data["marker"])
    fault.apply(params, ctx)
    pids = _helpers(record.data["marker"])
    assert len(pids) == 1
    first = _cpu_ticks(pids[0])
    _wait(lambda: _cpu_ticks(pids[0]) - first >= 30, "0.3 s of CPU")
    fault.undo(record, ctx)
    assert not _helpers(record.data["marker"])


def test_a_helper_ends_by_itself_at_the_run_deadline(cleanup: list[str]) -> None:
    fault, ctx = ResourceCpu(), _ctx("m2", ends_in=1.5)
    params = CpuParams.model_validate({"cores": 1, "python": sys.executable})
    record = fault.plan(params, ctx)
    cleanup.append(record.data["marker"])
    fault.apply(params, ctx)
    _wait(lambda: not _helpers(record.data["marker"]), "the helper to end", timeout=6)
    fault.undo(record, ctx)  # nothing left to kill: fine


def test_a_ceiling_above_the_host_share_is_refused_with_its_location(tmp_path: Path) -> None:
    too_much = host_memory_bytes() // 2
    with pytest.raises(ValueError, match="above 25% of this host's memory"):
        MemoryParams.model_validate({"rate": "1MiB/s", "ceiling": too_much})
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "version: 1\ntitle: t\nmethod:\n"
        f"  - fault: resource.memory\n    rate: 10MiB/s\n    ceiling: {too_much}\n"
    )
    done = chaosml("validate", str(exp))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{exp}:4:" in done.stdout + done.stderr
    assert "above 25% of this host's memory" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


EXPERIMENT = """version: 1
title: memory helper held while the run waits
blast_radius: {{max_duration: 5m}}
method:
  - fault: resource.memory
    rate: 100MiB/s
    ceiling: 32MiB
    python: {python}
  - wait: 120s
"""


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL-no-watchdog", "SIGKILL-watchdog"])
def test_helpers_never_outlive_the_runner(how: str, tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(EXPERIMENT.format(python=sys.executable))
    journal = tmp_path / "run.jsonl"
    extra = ["--no-watchdog"] if how == "SIGKILL-no-watchdog" else []
    env = {"CHAOSML_LOCK_DIR": str(tmp_path / "locks"), "CHAOSML_HALT_FILE": str(tmp_path / "H")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", str(journal), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
    )
    marker = ""
    try:
        _wait(lambda: any(e["event"] == "fault.applied" for e in events(journal)), "apply")
        planned = [e for e in events(journal) if e["event"] == "fault.undo_registered"]
        marker = str(planned[0]["undo"]["data"]["marker"])  # type: ignore[index]
        assert _helpers(marker)
        proc.send_signal(getattr(signal, how.split("-")[0]))
        proc.communicate(timeout=30)
        within = 10.0 if how == "SIGKILL-no-watchdog" else 8.0  # the lease runs out in 5 s
        started = time.monotonic()
        _wait(lambda: not _helpers(marker), "the helpers to end", timeout=within)
        print(f"{how}: helpers gone {time.monotonic() - started:.1f}s after the runner ended")
        if how in ("SIGINT", "SIGTERM"):
            assert proc.returncode == 130
            end = events(journal)[-1]
            assert (end["event"], end["status"]) == ("run.end", "interrupted")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if marker:
            LocalHost(sys.executable).find(marker, kill=True)
