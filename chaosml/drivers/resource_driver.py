"""Faults ``resource.memory`` and ``resource.cpu``: helper processes that take memory or CPU,
on this machine or inside each container of a Docker target (``docker exec``).

``resource.memory`` grows each helper's resident memory at ``rate`` up to ``ceiling`` (the slow
leak of ML Test Score M6); ``resource.cpu`` keeps ``cores`` busy workers. Both refuse to take
more than ``max_host_share`` % of this host's memory or CPUs (checked when the experiment is
loaded, and against the number of containers when the fault is planned). A helper exits by
itself at the run's ``max_duration`` and when the runner stops renewing its lease (the runner
died, even by SIGKILL); the undo kills every helper of the fault — found by a marker in their
command line, so ``chaosml rollback`` and the watchdog can — and checks the process table (and
that the container still runs).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Counter, Evidence, UndoRecord
from chaosml.contract.targets import TargetMember
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.resource_cgroups import cgroup_procs
from chaosml.drivers.resource_helpers import (
    LEASE_S,
    LEASES,
    START_TIMEOUT_S,
    ContainerHost,
    HelperHost,
    HelperProcess,
    LocalHost,
)
from chaosml.drivers.resource_limits import (
    RATE_SCHEMA,
    SIZE_SCHEMA,
    cpus_over_share,
    format_bytes,
    memory_over_share,
    parse_rate,
    parse_size,
)
from chaosml.errors import ChaosMLError, DriverError

DEFAULT_MAX_SECONDS = 600.0  # a helper's life when the experiment sets no max_duration


class ResourceParams(Params):
    target: str | None = Field(default=None, description="a Docker target: helpers in each")
    python: str = Field(default="python3", description="the Python that runs the helper")

    share_subject: ClassVar[str]  # how a refusal names the knob to lower: "ceiling", "cores:"

    @property
    def where(self) -> str:
        """Where the helpers run, for plans and progress."""
        return f"in each container of {self.target}" if self.target else "on this host"

    def over_share(self, helpers: int) -> str | None:
        """Why ``helpers`` such helpers would take too much of this host (None: they fit)."""
        raise NotImplementedError

    def per_helper(self) -> str:
        """What one helper takes, as a refusal says it."""
        raise NotImplementedError

    def check_own(self) -> None:
        """The model's own checks, made before the host share's."""

    @model_validator(mode="after")
    def _within_share(self) -> Self:
        self.check_own()
        why = self.over_share(1)
        if why:
            raise ValueError(f"{self.share_subject} {why}: lower it or raise max_host_share")
        return self


class MemoryParams(ResourceParams):
    rate: Annotated[int, WithJsonSchema(RATE_SCHEMA)] = Field(
        description="bytes per second: 50MiB/s"
    )
    ceiling: Annotated[int, WithJsonSchema(SIZE_SCHEMA)] = Field(
        description="the most each helper holds: 512MiB"
    )
    max_host_share: float = Field(default=25.0, gt=0, le=90)

    share_subject = "ceiling"

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, raw: Any) -> int:
        return parse_rate(raw)

    @field_validator("ceiling", mode="before")
    @classmethod
    def _ceiling(cls, raw: Any) -> int:
        return parse_size(raw)

    def check_own(self) -> None:
        if self.rate <= 0 or self.ceiling <= 0:
            raise ValueError("rate and ceiling must be above 0")

    def over_share(self, helpers: int) -> str | None:
        return memory_over_share(self.ceiling * helpers, self.max_host_share)

    def per_helper(self) -> str:
        return format_bytes(self.ceiling)


class CpuParams(ResourceParams):
    cores: int = Field(ge=1, description="busy workers, one core each")
    nice: int = Field(default=0, ge=0, le=19, description="the workers' niceness")
    max_host_share: float = Field(default=50.0, gt=0, le=100)

    share_subject = "cores:"

    def over_share(self, helpers: int) -> str | None:
        return cpus_over_share(self.cores * helpers, self.max_host_share)

    def per_helper(self) -> str:
        return f"{self.cores} cores"


RP = TypeVar("RP", bound=ResourceParams)


class ResourceFault(FaultDriver[RP]):
    """What both resource faults share: helpers per host, their marker, undo and evidence."""

    helper_kind: ClassVar[str]

    def helper_args(self, params: RP) -> list[str]:
        """The helper's own ``key=value`` arguments (apply adds its life and lease)."""
        raise NotImplementedError

    def check_total(self, params: RP, hosts: int) -> None:
        """Refuse when ``hosts`` helpers together take more than the host share."""
        why = params.over_share(hosts)
        if why:
            raise DriverError(f"{hosts} helpers of {params.per_helper()}: {why}")

    def plan(self, params: RP, ctx: DriverContext) -> UndoRecord:
        target = ctx.target(params.target) if params.target else None
        members = list(target.members) if target else []
        self.check_total(params, max(1, len(members)))
        helpers = [self._helper(m, target.kind if target else "") for m in members] or [
            {"container": None, "name": None}
        ]
        marker = f"chaosml-resource-{ctx.run_id}-{ctx.fault_id or 'x'}"
        data = {"marker": marker, "python": params.python, "helpers": helpers}
        where = ", ".join(h["name"] or "this host" for h in helpers)
        return UndoRecord(self.kind, data, f"kill the {self.helper_kind} helpers on {where}")

    def _helper(self, member: TargetMember, kind: str) -> dict[str, Any]:
        """A container's helper runs inside it; a local process's joins its cgroups."""
        if kind == "process":
            pid = int(member.id.partition(":")[0])  # a process member is "pid:start time"
            cgroups = cgroup_procs(pid, self.helper_kind)
            return {"container": None, "name": member.name, "cgroups": cgroups}
        return {"container": member.id, "name": member.name}

    def apply(self, params: RP, ctx: DriverContext) -> None:
        record = self.plan(params, ctx)
        marker = record.data["marker"]
        life = f"max_seconds={_max_seconds(ctx)}"
        args = [self.helper_kind, marker, *self.helper_args(params), life, f"lease_s={LEASE_S}"]
        with self.undone_on_failure(record, ctx):
            for host in _hosts(record.data):
                host.start(marker, args)
                _wait_started(host, marker)

    def applied_evidence(
        self, params: RP, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        return None if record is None else _evidence(record, "running")

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        """What the helpers hold just before they are killed (None once they ended)."""
        evidence = _evidence(record, "still running")
        return evidence if evidence.effect else None

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        marker = record.data["marker"]
        problems: list[str] = []
        for host, helper in zip(_hosts(record.data), record.data["helpers"], strict=True):
            try:
                _stop(host, marker, helper.get("name"))
            except ChaosMLError as exc:
                problems.append(exc.message)
        LEASES.release(marker)
        if problems:
            raise DriverError("; ".join(problems))

    def duration_hint(self, params: RP) -> float:
        return START_TIMEOUT_S


class ResourceMemory(ResourceFault[MemoryParams]):
    """Grows memory in helpers up to a ceiling; undo kills them."""

    kind = "resource.memory"
    summary = "grow memory at a rate up to a ceiling (locally or in containers); undo: kill"
    helper_kind = "memory"

    def describe(self, params: MemoryParams) -> str:
        rate, ceiling = format_bytes(params.rate), format_bytes(params.ceiling)
        return f"grow memory {params.where} at {rate}/s up to {ceiling}"

    def helper_args(self, params: MemoryParams) -> list[str]:
        return [f"rate={params.rate}", f"ceiling={params.ceiling}"]


class ResourceCpu(ResourceFault[CpuParams]):
    """Keeps CPU cores busy in helpers; undo kills them."""

    kind = "resource.cpu"
    summary = "keep N CPU cores busy (locally or in containers); undo: kill the workers"
    helper_kind = "cpu"

    def describe(self, params: CpuParams) -> str:
        return f"keep {params.cores} cores busy {params.where}"

    def helper_args(self, params: CpuParams) -> list[str]:
        return [f"workers={params.cores}", f"nice={params.nice}"]


def _hosts(data: dict[str, Any]) -> list[HelperHost]:
    python = str(data["python"])
    return [
        ContainerHost(h["container"], python)
        if h["container"]
        else LocalHost(python, h.get("cgroups"))
        for h in data["helpers"]
    ]


def _max_seconds(ctx: DriverContext) -> float:
    if ctx.faults_end_by is None:
        return DEFAULT_MAX_SECONDS
    return round(max(1.0, ctx.faults_end_by - time.time()), 1)


def _wait_started(host: HelperHost, marker: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not host.find(marker):
        if time.monotonic() > deadline:
            raise DriverError(f"the resource helper did not start within {START_TIMEOUT_S:g}s")
        time.sleep(0.05)


def _stop(host: HelperHost, marker: str, name: str | None) -> None:
    """Kill the helpers, check none is left; a container must still run afterwards."""
    where = f"container {name}" if isinstance(host, ContainerHost) else name or "this host"
    if isinstance(host, ContainerHost) and not host.running():
        raise DriverError(f"{where} no longer runs after the resource fault (out of memory?)")
    left = host.find(marker, kill=True)
    if left:
        pids = ", ".join(str(p.pid) for p in left)
        raise DriverError(f"resource helpers still running on {where} after SIGKILL: {pids}")


def _evidence(record: UndoRecord, state: str) -> Evidence:
    found: list[HelperProcess] = []
    for host in _hosts(record.data):
        found += host.find(record.data["marker"])
    rss = sum(p.rss_bytes for p in found)
    counters: dict[str, Counter] = {"helpers": len(found), "rss_bytes": rss}
    summary = f"{len(found)} helper processes {state}, {format_bytes(rss)} resident"
    return Evidence(bool(found), summary, counters)
