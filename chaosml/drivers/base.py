"""The contracts every driver (built-in or plugin) implements.

A driver is one class in one module, registered under the ``chaosml.drivers`` entry-point group.
The engine knows drivers only through these classes:

- ``FaultDriver``: ``plan()`` returns the undo record (data, no side effect on the system), the
  engine writes it to the journal, then calls ``apply()``. Both calls get the same
  ``ctx.fault_id`` (unique in the run), so names planned for the undo (toxics, snapshot files)
  are derived, not remembered. ``undo(record)`` reverses the change;
  it is idempotent and can run in a new process from the journal alone (``chaosml rollback``).
  If ``apply()`` fails half-way it undoes its own part, then raises.
- ``ActionDriver``: ``run()`` performs an operation with no undo (``docker.start``).
- ``ProbeDriver``: ``sample()`` reads a value; expectations are evaluated by the engine.
- ``TargetDriver``: lists the candidates of a blast-radius target selector (``docker: {...}``).

Evidence of effect: after ``apply()`` the engine asks ``applied_evidence()`` (state observed
right after the change: a container stopped, a process gone, bytes of a file changed), and just
before ``undo()`` it asks ``undo_evidence()`` (what a lasting fault did while it was in place:
the responses a proxy corrupted, the connections a toxic delayed). Each returns an
``Evidence`` or None (nothing to say: no verdict on this fault). ``effect: False`` ends the run
``failed`` unless the step says ``allow_no_effect: true``.

Drivers are synchronous; the engine runs them in worker threads with timeouts. ``ctx.deadline``
is when the call must return (pass ``ctx.remaining(default)`` to the SDK's timeouts) and
``ctx.cancel`` is the run's cancellation token (check ``ctx.cancel.cancelled`` between steps).
Each driver translates its SDK's exceptions into ``chaosml.errors`` types
(``InfrastructureError`` when the backend is unreachable, ``DriverError`` otherwise,
``ProbeError`` when a value cannot be read).

Step keys the engine owns (never passed to a driver): ``fault``/``action``, ``name``,
``duration``, ``background``, ``timeout``, ``allow_no_effect``. Everything else in the step is
validated by the driver's ``params_model`` (a pydantic model that forbids unknown keys).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from chaosml import redaction
from chaosml.cancellation import CancelToken

Role = Literal["fault", "action", "probe", "target"]

RUN_ID_LABEL = "chaosml.run_id"


class Params(BaseModel):
    """Base of every driver's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class UndoRecord:
    """What it takes to reverse one fault: plain JSON data, never a closure.

    ``kind`` names the driver whose ``undo()`` replays it; ``data`` holds what it needs
    (container ids, a toxic's name and proxy API, a snapshot's path and checksum).
    """

    kind: str
    data: dict[str, Any]
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data, "description": self.description}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UndoRecord:
        return cls(
            kind=str(raw["kind"]), data=dict(raw["data"]), description=str(raw["description"])
        )


Counter = int | float | str


@dataclass(frozen=True)
class Evidence:
    """What a fault actually did: ``effect`` (did it change anything?), a one-line ``summary``
    for the console and reports, and the counters it is based on."""

    effect: bool
    summary: str
    counters: Mapping[str, Counter] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"effect": self.effect, "summary": self.summary, "counters": dict(self.counters)}


@dataclass
class Sample:
    """What a probe read. ``value`` is the primary value expectations compare against."""

    value: Any = None
    status: int | None = None  # HTTP status code
    exit_code: int | None = None  # process exit code
    text: str | None = None  # response body or stdout
    json: Any = None  # parsed JSON body, when there is one
    details: dict[str, Any] = field(default_factory=dict)  # latency_s, labels, state, ...

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        for key in ("status", "exit_code"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.text is not None:
            out["text"] = redaction.clip(self.text, 2000, "")
        if self.details:
            out["details"] = self.details
        return out


@dataclass(frozen=True)
class TargetMember:
    """One concrete thing a target selector matched (a container, a process)."""

    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolvedTarget:
    """A blast-radius target after selection: the members chosen out of ``matched``."""

    name: str
    kind: str  # the target driver's kind, e.g. "docker"
    members: tuple[TargetMember, ...]
    matched: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "matched": self.matched,
            "members": [{"id": m.id, "name": m.name} for m in self.members],
        }


@dataclass
class DriverContext:
    """What the engine gives a driver call."""

    run_id: str
    targets: dict[str, ResolvedTarget] = field(default_factory=dict)
    allow_python: bool = False
    seed: int = 0
    experiment_title: str = ""
    state_dir: str = ""  # a directory drivers may keep run files in (snapshots)
    fault_id: str = ""  # the same for plan() and apply() of one step: name what you create by it
    proxies: dict[str, str] = field(default_factory=dict)  # ephemeral proxy name -> its API URL
    cancel: CancelToken = field(default_factory=CancelToken)  # the run's: set when it is aborted
    deadline: float | None = None  # time.monotonic() by which this call must return
    faults_end_by: float | None = None  # wall time the run's faults are undone by at worst

    def until(self, timeout: float) -> DriverContext:
        """This context for one call that must return within ``timeout`` seconds."""
        return replace(self, deadline=time.monotonic() + timeout)

    def remaining(self, default: float) -> float:
        """Seconds left of this call's deadline (``default`` at most): pass it to the SDK's
        timeout so a call gives up by itself instead of outliving its step."""
        if self.deadline is None:
            return default
        return max(0.1, min(default, self.deadline - time.monotonic()))

    def target(self, name: str) -> ResolvedTarget:
        from chaosml.errors import DriverError

        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "none"
            raise DriverError(f"unknown target '{name}' (declared targets: {known})") from None

    @property
    def run_labels(self) -> dict[str, str]:
        return {RUN_ID_LABEL: self.run_id}


class Driver(ABC):
    """Common to every driver: its kind, role, parameter model and a one-line summary."""

    kind: ClassVar[str]
    role: ClassVar[Role]
    params_model: ClassVar[type[Params]]
    summary: ClassVar[str] = ""

    def describe(self, params: Params) -> str:
        """One line for plans and progress; override for something friendlier."""
        shown = params.model_dump(exclude_none=True)
        return f"{self.kind} {shown}" if shown else self.kind


class FaultDriver(Driver):
    role: ClassVar[Role] = "fault"

    @abstractmethod
    def plan(self, params: Params, ctx: DriverContext) -> UndoRecord | None:
        """The undo record for this fault, computed before anything changes (None: no undo)."""

    @abstractmethod
    def apply(self, params: Params, ctx: DriverContext) -> None:
        """Make the change. On a half-way failure undo what was done, then raise."""

    @abstractmethod
    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        """Reverse the change described by ``record``; idempotent, safe in a new process."""

    def applied_evidence(
        self, params: Params, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """What the change did, observed right after ``apply()``; None: nothing to say."""
        return None

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        """What the fault did while in place, read just before ``undo()``; None: nothing."""
        return None

    def duration_hint(self, params: Params) -> float:
        """Seconds the fault itself takes to apply at worst (for the max_duration check)."""
        return 0.0


class ActionDriver(Driver):
    role: ClassVar[Role] = "action"

    @abstractmethod
    def run(self, params: Params, ctx: DriverContext) -> Sample | None:
        """Perform the operation; there is no undo."""


class ProbeDriver(Driver):
    role: ClassVar[Role] = "probe"

    @abstractmethod
    def sample(self, params: Params, ctx: DriverContext) -> Sample:
        """Read a value. Raise ProbeError/InfrastructureError when it cannot be read."""


class TargetDriver(Driver):
    role: ClassVar[Role] = "target"

    @abstractmethod
    def candidates(self, params: Params, ctx: DriverContext) -> list[TargetMember]:
        """Everything the selector matches, before opt-in filtering and sampling."""
