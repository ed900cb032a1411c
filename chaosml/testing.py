"""Fakes for users and driver authors: a fake fault, a scripted probe, a fake target, a fast clock.

    from chaosml.testing import FakeClock, registry_with_fakes, WORLD
    registry = registry_with_fakes()
    loaded = load_text(yaml_text, registry=registry)
    outcome = run_experiment(loaded, RunOptions(...), registry=registry, clock=FakeClock(speed=50))

``WORLD`` records what the fakes did (which faults are active, the order of applies and undos).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from chaosml.drivers.base import (
    ActionDriver,
    DriverContext,
    Evidence,
    FaultDriver,
    Params,
    ProbeDriver,
    Sample,
    TargetDriver,
    TargetMember,
    UndoRecord,
)
from chaosml.drivers.registry import Registry, build_registry
from chaosml.errors import DriverError, InfrastructureError, ProbeError


@dataclass
class FakeWorld:
    """What the fakes did, shared by every fake in the process."""

    active: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    undo_failures: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.active.clear()
            self.log.clear()
            self.undo_failures.clear()
            self.counters.clear()


WORLD = FakeWorld()


class FakeFaultParams(Params):
    id: str = "fake"
    fail_apply: bool = False
    fail_undo: int = Field(default=0, description="undo fails this many times first (-1: always)")
    apply_seconds: float = 0.0
    target: str | None = None
    effect: bool | None = Field(default=None, description="evidence at undo (None: none given)")


class FakeFault(FaultDriver):
    """Marks ``id`` active in WORLD; its undo marks it inactive."""

    kind = "fake.fault"
    params_model = FakeFaultParams
    summary = "a fault that only changes chaosml.testing.WORLD"

    def plan(self, params: Params, ctx: DriverContext) -> UndoRecord:
        assert isinstance(params, FakeFaultParams)
        WORLD.undo_failures[params.id] = params.fail_undo
        data: dict[str, Any] = {"id": params.id}
        if params.effect is not None:
            data["effect"] = params.effect
        return UndoRecord(self.kind, data, f"deactivate {params.id}")

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        effect = record.data.get("effect")
        if effect is None:
            return None
        summary = "changed WORLD" if effect else "0 changes: nothing was listening"
        return Evidence(bool(effect), summary, {"changes": int(bool(effect))})

    def apply(self, params: Params, ctx: DriverContext) -> None:
        assert isinstance(params, FakeFaultParams)
        time.sleep(params.apply_seconds)
        if params.fail_apply:
            raise DriverError(f"fake fault {params.id} failed to apply")
        with WORLD.lock:
            WORLD.active.add(params.id)
            WORLD.log.append(f"apply {params.id}")

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        fault_id = str(record.data["id"])
        with WORLD.lock:
            left = WORLD.undo_failures.get(fault_id, 0)
            if left != 0:
                WORLD.undo_failures[fault_id] = left - 1 if left > 0 else left
                WORLD.log.append(f"undo-failed {fault_id}")
                raise DriverError(f"fake undo of {fault_id} failed")
            WORLD.active.discard(fault_id)
            WORLD.log.append(f"undo {fault_id}")


class FakeActionParams(Params):
    id: str = "action"


class FakeAction(ActionDriver):
    kind = "fake.action"
    params_model = FakeActionParams
    summary = "an action that only logs to chaosml.testing.WORLD"

    def run(self, params: Params, ctx: DriverContext) -> Sample | None:
        assert isinstance(params, FakeActionParams)
        with WORLD.lock:
            WORLD.log.append(f"action {params.id}")
        return None


class ScriptedParams(Params):
    key: str = "scripted"
    values: list[Any] = Field(default_factory=lambda: [0])
    sleep: float = 0.0


class ScriptedProbe(ProbeDriver):
    """Returns ``values`` one after another (the last one repeats). A value ``"!error"`` raises a
    ProbeError, ``"!down"`` an InfrastructureError, ``"!hang"`` sleeps for a minute."""

    kind = "scripted"
    params_model = ScriptedParams
    summary = "values from a script (for tests)"

    def sample(self, params: Params, ctx: DriverContext) -> Sample:
        assert isinstance(params, ScriptedParams)
        with WORLD.lock:
            index = WORLD.counters.get(params.key, 0)
            WORLD.counters[params.key] = index + 1
        time.sleep(params.sleep)
        value = params.values[min(index, len(params.values) - 1)]
        return _scripted_sample(value)


def _scripted_sample(value: Any) -> Sample:
    if value == "!error":
        raise ProbeError("scripted probe error")
    if value == "!down":
        raise InfrastructureError("scripted backend unreachable (http://127.0.0.1:1)")
    if value == "!hang":
        time.sleep(60)
    if isinstance(value, dict) and "status" in value:
        return Sample(value=value.get("value"), status=int(value["status"]))
    return Sample(value=value)


class FakeTargetParams(Params):
    members: list[dict[str, Any]] = Field(default_factory=list)


class FakeTarget(TargetDriver):
    """Candidates given inline: ``fake: {members: [{name: a, labels: {...}}]}``."""

    kind = "fake"
    params_model = FakeTargetParams
    summary = "targets listed inline (for tests)"

    def candidates(self, params: Params, ctx: DriverContext) -> list[TargetMember]:
        assert isinstance(params, FakeTargetParams)
        return [
            TargetMember(str(m.get("id", m["name"])), str(m["name"]), dict(m.get("labels", {})))
            for m in params.members
        ]


FAKES = (FakeFault, FakeAction, ScriptedProbe, FakeTarget)


def registry_with_fakes() -> Registry:
    """The built-in drivers plus the fakes (third-party plugins not loaded)."""
    registry = build_registry(autoload=False)
    for cls in FAKES:
        registry.register(cls, f"chaosml.testing:{cls.__name__}")
    return registry


class FakeClock:
    """A clock that runs ``speed`` times faster than real time: waits of minutes take seconds,
    and every interval keeps its proportion."""

    def __init__(self, speed: float = 100.0) -> None:
        self.speed = speed
        self._mono0 = time.monotonic()
        self._wall0 = time.time()

    def monotonic(self) -> float:
        return self._mono0 + (time.monotonic() - self._mono0) * self.speed

    def wall(self) -> float:
        return self._wall0 + (time.monotonic() - self._mono0) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)
