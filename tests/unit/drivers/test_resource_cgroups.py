"""Which cgroup.procs files a local helper joins for a target process (v1 and v2 layouts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.drivers.resource_cgroups import cgroup_procs, procs_files
from chaosml.errors import DriverError

V1 = """12:pids:/system.slice/model.service
5:memory:/system.slice/model.service
3:cpu,cpuacct:/system.slice/model.service
1:name=systemd:/system.slice/model.service
0::/system.slice/model.service
"""
ROOT = Path("/sys/fs/cgroup")


def test_cgroup_v1_names_the_hierarchies_of_the_controllers() -> None:
    assert procs_files(V1, "memory", ROOT, unified=False) == [
        "/sys/fs/cgroup/memory/system.slice/model.service/cgroup.procs"
    ]
    assert procs_files(V1, "cpu", ROOT, unified=False) == [  # cpu and cpuacct share one
        "/sys/fs/cgroup/cpu,cpuacct/system.slice/model.service/cgroup.procs"
    ]


def test_cgroup_v2_names_the_unified_cgroup() -> None:
    assert procs_files(V1, "memory", ROOT, unified=True) == [
        "/sys/fs/cgroup/system.slice/model.service/cgroup.procs"
    ]


def test_no_cgroup_of_that_kind_is_none() -> None:
    assert procs_files("1:name=systemd:/x\n", "memory", ROOT, unified=False) == []


def test_a_gone_process_is_a_driver_error(tmp_path: Path) -> None:
    with pytest.raises(DriverError, match="cannot read the cgroups of process"):
        cgroup_procs(2**22 + 7, "memory", root=tmp_path)
