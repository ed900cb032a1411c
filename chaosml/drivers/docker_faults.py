"""Docker faults and the ``docker.start`` action.

Every fault acts on all containers of ``ctx.target(params.target)`` at once. Its undo record
names each container by id and name, so ``chaosml rollback JOURNAL`` can restore them from the
journal alone, in a new process:

=================== ====================================== =================================
fault               does                                   undo
=================== ====================================== =================================
docker.kill         send ``signal`` (default SIGKILL)      start what is not running
docker.stop         stop, ``stop_timeout`` grace (10s)     start what is not running
docker.pause        freeze (cgroup freezer)                unpause what is still paused
docker.restart      restart, ``stop_timeout`` grace        (none)
docker.disconnect   cut off ``network``                    reconnect with the same aliases
=================== ====================================== =================================

Undos are idempotent: a running container is not started again, an unpaused one is not
unpaused, a reconnected one is not connected twice.
"""

from __future__ import annotations

import math
import signal as signals
from abc import abstractmethod
from typing import Any, ClassVar, TypeVar

from pydantic import Field, field_validator

from chaosml.contract.context import DriverContext
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.contract.sample import Sample
from chaosml.drivers import docker_evidence as observed
from chaosml.drivers.base import ActionDriver, FaultDriver
from chaosml.drivers.docker_containers import (
    ContainerRef,
    TargetOrContainer,
    TargetParams,
    containers_record,
    names,
    on_all,
    on_target,
    record_entries,
    start_unless_alive,
    target_refs,
    unpause_if_paused,
)
from chaosml.drivers.docker_driver import DockerEngine, UsesDocker
from chaosml.durations import format_duration
from chaosml.model.types import Duration


def _ref_label(ref: ContainerRef) -> str:
    return ref.name or ref.id[:12]


TP = TypeVar("TP", bound=TargetParams)


class _ContainerFault(UsesDocker, FaultDriver[TP]):
    """A fault whose undo record is the list of containers it hit."""

    undo_verb: ClassVar[str]  # what the undo does, for the record's description

    def describe(self, params: TP) -> str:
        return on_target(self.kind, params.target, params.plan_detail)

    def plan(self, params: TP, ctx: DriverContext) -> UndoRecord | None:
        refs = target_refs(ctx, params.target)
        return containers_record(self.kind, refs, f"{self.undo_verb} {names(refs)}")

    def apply(self, params: TP, ctx: DriverContext) -> None:
        refs = target_refs(ctx, params.target)
        act = lambda ref: self.act(ref, params)  # noqa: E731
        on_all(refs, act, _ref_label, self.kind, revert=self.revert)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        refs = [ContainerRef.from_json(raw) for raw in record_entries(record)]
        on_all(refs, self.revert, _ref_label, f"undo of {self.kind} ({self.undo_verb})")

    def applied_evidence(
        self, params: TP, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        refs = target_refs(ctx, params.target)
        hit, what = self.observed(params)
        return observed.containers_evidence(self.engine, refs, hit, what)

    @abstractmethod
    def observed(self, params: TP) -> tuple[observed.Hit, str]:
        """Which state after apply shows the fault took effect, and how to say it."""

    @abstractmethod
    def act(self, ref: ContainerRef, params: TP) -> None:
        """Apply the fault to one container."""

    @abstractmethod
    def revert(self, ref: ContainerRef) -> None:
        """Undo the fault on one container, idempotently."""


class KillParams(TargetParams):
    signal: str = "SIGKILL"

    @field_validator("signal", mode="before")
    @classmethod
    def _known_signal(cls, value: Any) -> str:
        return signal_name(value)

    @property
    def plan_detail(self) -> str:
        return f" {self.signal}"


def signal_name(value: Any) -> str:
    """``SIGKILL``, ``KILL``, ``kill`` or ``9`` -> ``SIGKILL``; ValueError for anything else."""
    text = str(value).strip().upper()
    try:
        if text.isdigit():
            return signals.Signals(int(text)).name
        return signals.Signals[text if text.startswith("SIG") else f"SIG{text}"].name
    except (KeyError, ValueError):
        raise ValueError(f"unknown signal {value!r}; use a name like SIGKILL or SIGTERM") from None


class DockerKill(_ContainerFault[KillParams]):
    kind = "docker.kill"
    summary = "send a signal (default SIGKILL) to the target's containers; undo starts them"
    undo_verb = "start"

    def __init__(self, engine: DockerEngine | None = None) -> None:
        super().__init__(engine)
        self.restarts: dict[str, int] = {}

    def observed(self, params: KillParams) -> tuple[observed.Hit, str]:
        return observed.killed_by(params.signal, self.restarts), f"took {params.signal}"

    def act(self, ref: ContainerRef, params: KillParams) -> None:
        found = self.engine.find(ref.id)
        if found is not None:  # to tell a restart policy's restart from no effect
            self.restarts[found.id] = found.restarts
        self.engine.kill(ref.id, params.signal)

    def revert(self, ref: ContainerRef) -> None:
        start_unless_alive(self.engine, ref)


class StopParams(TargetParams):
    stop_timeout: Duration = Field(default=10.0, description="grace before SIGKILL")

    @property
    def grace_s(self) -> int:
        return math.ceil(self.stop_timeout)

    @property
    def plan_detail(self) -> str:
        return f" (grace {format_duration(self.stop_timeout)})"


class DockerStop(_ContainerFault[StopParams]):
    kind = "docker.stop"
    summary = "stop the target's containers (SIGTERM, then SIGKILL); undo starts them"
    undo_verb = "start"

    def duration_hint(self, params: StopParams) -> float:
        return params.stop_timeout + 5.0

    def observed(self, params: StopParams) -> tuple[observed.Hit, str]:
        return observed.stopped, "stopped"

    def act(self, ref: ContainerRef, params: StopParams) -> None:
        self.engine.stop(ref.id, params.grace_s)

    def revert(self, ref: ContainerRef) -> None:
        start_unless_alive(self.engine, ref)


class DockerPause(_ContainerFault[TargetParams]):
    kind = "docker.pause"
    summary = "freeze the target's containers; undo unpauses them"
    undo_verb = "unpause"

    def observed(self, params: TargetParams) -> tuple[observed.Hit, str]:
        return observed.paused, "paused"

    def act(self, ref: ContainerRef, params: TargetParams) -> None:
        self.engine.pause(ref.id)

    def revert(self, ref: ContainerRef) -> None:
        unpause_if_paused(self.engine, ref)


class DockerRestart(UsesDocker, FaultDriver[StopParams]):
    kind = "docker.restart"
    summary = "restart the target's containers; there is nothing to undo"

    def describe(self, params: StopParams) -> str:
        return on_target(self.kind, params.target)

    def duration_hint(self, params: StopParams) -> float:
        return params.stop_timeout + 5.0

    def plan(self, params: StopParams, ctx: DriverContext) -> UndoRecord | None:
        return None

    def apply(self, params: StopParams, ctx: DriverContext) -> None:
        refs = target_refs(ctx, params.target)
        act = lambda ref: self.engine.restart(ref.id, params.grace_s)  # noqa: E731
        on_all(refs, act, _ref_label, self.kind)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        """A restart leaves nothing to undo."""

    def applied_evidence(
        self, params: StopParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        refs = target_refs(ctx, params.target)
        return observed.containers_evidence(self.engine, refs, observed.running, "running again")


class StartParams(TargetOrContainer):
    pass  # a target's containers, or one container by name or id


class DockerStart(UsesDocker, ActionDriver[StartParams]):
    kind = "docker.start"
    summary = "start containers that are not running (a target's, or one by name/id)"

    def describe(self, params: StartParams) -> str:
        return params.described(self.kind, " →")

    def run(self, params: StartParams, ctx: DriverContext) -> Sample | None:
        refs = _start_refs(params, ctx)
        act = lambda ref: start_unless_alive(self.engine, ref)  # noqa: E731
        done = on_all(refs, act, _ref_label, self.kind)
        return Sample(value=len(done), details={"containers": [r.to_json() for r in done]})


def _start_refs(params: StartParams, ctx: DriverContext) -> list[ContainerRef]:
    if params.container is not None:
        return [ContainerRef(params.container, params.container)]
    assert params.target is not None
    return target_refs(ctx, params.target)
