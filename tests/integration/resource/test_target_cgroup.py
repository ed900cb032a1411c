"""resource.memory on a local process target: the helper joins that process's memory cgroup,
so the leak is charged where the service's memory limit and alerts look (issue 17) — checked
in the cgroup's own accounting, end to end with the CLI; the undo leaves the cgroup with only
the service in it."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from chaosml.drivers.resource_cgroups import ROOT
from tests.fixtures.services import require
from tests.integration.docker.cli import chaosml, start_chaosml

MIB = 1024 * 1024


def _memory_root() -> Path | None:
    """A memory hierarchy this test may make a cgroup in (v1's memory controller, or v2)."""
    for root in (ROOT / "memory", ROOT):
        if (root / "cgroup.procs").exists() and os.access(root, os.W_OK):
            return root
    return None


@pytest.fixture
def service_in_a_cgroup(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A `sleep` standing for a service, alone in a memory cgroup of its own: (pid file,
    cgroup dir). Both removed afterwards, whatever happened."""
    root = _memory_root()
    require(root is not None and os.geteuid() == 0, "a writable memory cgroup (root)")
    assert root is not None
    group = root / f"chaosml-test-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    service = subprocess.Popen(["sleep", "600"], start_new_session=True)
    pid_file = tmp_path / "service.pid"
    try:
        (group / "cgroup.procs").write_text(f"{service.pid}\n")
        pid_file.write_text(f"{service.pid}\n")
        yield pid_file, group
    finally:
        service.kill()
        service.wait()
        deadline = time.monotonic() + 10
        while _members(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        group.rmdir()


def _members(group: Path) -> list[int]:
    return [int(x) for x in (group / "cgroup.procs").read_text().split()]


def _usage(group: Path) -> int:
    for name in ("memory.usage_in_bytes", "memory.current"):
        if (group / name).exists():
            return int((group / name).read_text())
    raise AssertionError(f"no memory accounting file in {group}")


def test_the_helper_is_charged_to_the_target_process_cgroup(
    service_in_a_cgroup: tuple[Path, Path], tmp_path: Path
) -> None:
    pid_file, group = service_in_a_cgroup
    service_pid = _members(group)
    exp = tmp_path / "leak.yaml"
    exp.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "title": "a leak charged to the service's own cgroup",
                "blast_radius": {
                    "targets": {
                        "service": {"process": {"pid_file": str(pid_file)}, "require_label": None}
                    }
                },
                "method": [
                    {
                        "fault": "resource.memory",
                        "target": "service",
                        "rate": "128MiB/s",
                        "ceiling": "48MiB",
                        "duration": "4s",
                    },
                ],
            },
            sort_keys=False,
        )
    )
    journal = tmp_path / "journal.jsonl"
    before = _usage(group)
    proc = start_chaosml("run", exp, "--journal", journal)
    try:
        deadline = time.monotonic() + 20
        while _usage(group) - before < 40 * MIB:
            assert time.monotonic() < deadline, f"cgroup usage stayed at {_usage(group)}"
            time.sleep(0.1)
        assert len(_members(group)) == 2  # the service and its helper
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert _members(group) == service_pid  # the undo left only the service
    assert chaosml("rollback", journal).returncode == 0  # nothing left to undo
