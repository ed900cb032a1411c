"""Fakes for users and driver authors: a fake fault, a scripted probe, a fake target, a fast clock.

    from chaosml.testing import FakeClock, registry_with_fakes
    registry = registry_with_fakes()
    loaded = load_text(yaml_text, registry=registry)
    outcome = run_experiment(loaded, RunOptions(...), registry=registry, clock=FakeClock(speed=50))
    assert registry.world.active == set()

``registry.world`` records what that registry's fakes did (which faults are active, the order of
applies and undos). Every ``registry_with_fakes()`` has a world of its own: two runs with two
registries (concurrent, in one process) never see each other's faults.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.contract.sample import Sample
from chaosml.contract.targets import TargetMember
from chaosml.drivers.base import ActionDriver, Driver, FaultDriver, ProbeDriver, TargetDriver
from chaosml.drivers.registry import Registry, load_builtins
from chaosml.errors import DriverError, InfrastructureError, ProbeError


@dataclass
class FakeWorld:
    """What the fakes of one registry did."""

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


class _InWorld:
    """A fake that acts on the world of the registry that made it."""

    def __init__(self, world: FakeWorld | None = None) -> None:
        self.world = world if world is not None else FakeWorld()


class FakeFaultParams(Params):
    id: str = "fake"
    fail_apply: bool = False
    fail_undo: int = Field(default=0, description="undo fails this many times first (-1: always)")
    apply_seconds: float = 0.0
    target: str | None = None
    effect: bool | None = Field(default=None, description="evidence at undo (None: none given)")


class FakeFault(_InWorld, FaultDriver[FakeFaultParams]):
    """Marks ``id`` active in its world; its undo marks it inactive. ``apply_seconds``: apply
    takes that long (ignoring its timeout and the run's cancellation, like a hung SDK call)."""

    kind = "fake.fault"
    params_model = FakeFaultParams
    summary = "a fault that only changes its chaosml.testing world"

    def plan(self, params: FakeFaultParams, ctx: DriverContext) -> UndoRecord:
        self.world.undo_failures[params.id] = params.fail_undo
        data: dict[str, Any] = {"id": params.id}
        if params.effect is not None:
            data["effect"] = params.effect
        return UndoRecord(self.kind, data, f"deactivate {params.id}")

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        effect = record.data.get("effect")
        if effect is None:
            return None
        summary = "changed its world" if effect else "0 changes: nothing was listening"
        return Evidence(bool(effect), summary, {"changes": int(bool(effect))})

    def apply(self, params: FakeFaultParams, ctx: DriverContext) -> None:
        time.sleep(params.apply_seconds)
        if params.fail_apply:
            raise DriverError(f"fake fault {params.id} failed to apply")
        with self.world.lock:
            self.world.active.add(params.id)
            self.world.log.append(f"apply {params.id}")

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        fault_id = str(record.data["id"])
        with self.world.lock:
            left = self.world.undo_failures.get(fault_id, 0)
            if left != 0:
                self.world.undo_failures[fault_id] = left - 1 if left > 0 else left
                self.world.log.append(f"undo-failed {fault_id}")
                raise DriverError(f"fake undo of {fault_id} failed")
            self.world.active.discard(fault_id)
            self.world.log.append(f"undo {fault_id}")


class FakeActionParams(Params):
    id: str = "action"


class FakeAction(_InWorld, ActionDriver[FakeActionParams]):
    kind = "fake.action"
    params_model = FakeActionParams
    summary = "an action that only logs to its chaosml.testing world"

    def run(self, params: FakeActionParams, ctx: DriverContext) -> Sample | None:
        with self.world.lock:
            self.world.log.append(f"action {params.id}")
        return None


class ScriptedParams(Params):
    key: str = "scripted"
    values: list[Any] = Field(default_factory=lambda: [0])
    sleep: float = 0.0


class ScriptedProbe(_InWorld, ProbeDriver[ScriptedParams]):
    """Returns ``values`` one after another (the last one repeats). A value ``"!error"`` raises a
    ProbeError, ``"!down"`` an InfrastructureError, ``"!hang"`` sleeps for a minute."""

    kind = "scripted"
    params_model = ScriptedParams
    summary = "values from a script (for tests)"

    def sample(self, params: ScriptedParams, ctx: DriverContext) -> Sample:
        with self.world.lock:
            index = self.world.counters.get(params.key, 0)
            self.world.counters[params.key] = index + 1
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


class FakeTarget(TargetDriver[FakeTargetParams]):
    """Candidates given inline: ``fake: {members: [{name: a, labels: {...}}]}``."""

    kind = "fake"
    params_model = FakeTargetParams
    summary = "targets listed inline (for tests)"

    def candidates(self, params: FakeTargetParams, ctx: DriverContext) -> list[TargetMember]:
        return [
            TargetMember(str(m.get("id", m["name"])), str(m["name"]), dict(m.get("labels", {})))
            for m in params.members
        ]


FAKES = (FakeFault, FakeAction, ScriptedProbe, FakeTarget)


@dataclass
class FakeRegistry(Registry):
    """A registry whose fakes act on ``world`` (its own)."""

    world: FakeWorld = field(default_factory=FakeWorld)

    def instantiate(self, cls: type[Driver[Any]]) -> Driver[Any]:
        if issubclass(cls, _InWorld):
            return cls(self.world)
        return cls()


def registry_with_fakes() -> FakeRegistry:
    """The built-in drivers plus the fakes (third-party plugins not loaded), with a new world."""
    registry = FakeRegistry()
    load_builtins(registry)
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


class VirtualClock:
    """A clock that real time never moves: a sleep ends when the clock has been advanced past
    its deadline. ``advance(seconds)`` moves it by hand; with ``auto=True`` (the default) it
    jumps to the earliest deadline whenever the run is idle — every task asleep on this clock
    and no driver call (a ``chaosml:`` thread) running — so a run's schedule is the same on an
    idle machine and on a loaded one."""

    IDLE_ROUNDS = 20  # loop iterations without new work before the clock moves on

    def __init__(self, start_wall: float = 1_700_000_000.0, auto: bool = True) -> None:
        self.now = 0.0
        self._wall0 = start_wall
        self._auto = auto
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0  # sleeps so far: a new one means the run is not idle yet
        self._stepping: asyncio.AbstractEventLoop | None = None  # the loop it steps on
        self._earlier = set(threading.enumerate())  # e.g. a hung call another run abandoned

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self._wall0 + self.now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), self._count, future))
        if self._auto and self._stepping is not loop:
            self._stepping = loop
            loop.call_soon(self._step, self.IDLE_ROUNDS, self._count)
        await future

    def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds``, waking every sleep that is due (in deadline order)."""
        self._wake_until(self.now + seconds)

    def _wake_until(self, until: float) -> None:
        while self._sleepers and self._sleepers[0][0] <= until:
            deadline, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            if not future.done():
                future.set_result(None)
        self.now = max(self.now, until)

    def _step(self, rounds: int, seen: int) -> None:
        loop = asyncio.get_running_loop()
        if self._driver_call_running():  # a thread's result is still to come: wait for it
            loop.call_later(0.001, self._step, self.IDLE_ROUNDS, self._count)
        elif seen != self._count:  # someone just went to sleep: let the others get there too
            loop.call_soon(self._step, self.IDLE_ROUNDS, self._count)
        elif rounds > 0:
            loop.call_soon(self._step, rounds - 1, seen)
        else:
            self._sleepers = [s for s in self._sleepers if not s[2].done()]  # cancelled
            heapq.heapify(self._sleepers)
            if not self._sleepers:
                self._stepping = None
                return
            self._wake_until(self._sleepers[0][0])
            loop.call_soon(self._step, self.IDLE_ROUNDS, self._count)

    def _driver_call_running(self) -> bool:
        calls = (t for t in threading.enumerate() if t.name.startswith("chaosml:"))
        return any(t.is_alive() for t in calls if t not in self._earlier)
