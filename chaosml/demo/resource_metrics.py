"""The model server's own resource use, for the M6 memory and CPU alerts.

In a container the numbers are its cgroup's (cgroup v1 ``memory.stat`` resident memory and
``cpuacct.usage``), so a helper ``docker exec``-ed into the container by ``resource.memory`` or
``resource.cpu`` counts, as it would for a leak in any process of the service. Outside a
container they are the server process's own (``/proc/self``): ``source`` says which.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

CGROUP = Path("/sys/fs/cgroup")


def in_container_cgroup() -> bool:
    """This process runs in a container whose cgroup v1 files it can read (Docker's memory
    cgroup is ``/docker/<id>``; Kubernetes' ``/kubepods...``). Any other cgroup — a session's,
    a sandbox's — holds more than this server: its own numbers are used then."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return False
    memory = [line.split(":", 2)[2] for line in lines if ":memory:" in line]
    ours = bool(memory) and memory[0].startswith(("/docker", "/kubepods"))
    return ours and (CGROUP / "memory" / "memory.stat").exists()


def cgroup_memory_bytes() -> int:
    stat = (CGROUP / "memory" / "memory.stat").read_text().splitlines()
    values = dict(line.split() for line in stat if line.count(" ") == 1)
    return int(values.get("total_rss", values.get("rss", "0")))


def cgroup_cpu_seconds() -> float:
    return int((CGROUP / "cpuacct" / "cpuacct.usage").read_text()) / 1e9


def process_memory_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ResourceCollector(Collector):
    def __init__(self) -> None:
        self.cgroup = in_container_cgroup()

    def collect(self) -> Iterator[Metric]:
        source = "cgroup" if self.cgroup else "process"
        memory = GaugeMetricFamily(
            "model_server_memory_bytes", "Resident memory of the model server", labels=["source"]
        )
        memory.add_metric(
            [source], cgroup_memory_bytes() if self.cgroup else process_memory_bytes()
        )
        cpu = CounterMetricFamily(
            "model_server_cpu_seconds", "CPU time of the model server", labels=["source"]
        )
        cpu.add_metric([source], cgroup_cpu_seconds() if self.cgroup else process_cpu_seconds())
        yield memory
        yield cpu


def track_resources(registry: CollectorRegistry) -> None:
    if os.name == "posix":
        registry.register(ResourceCollector())
