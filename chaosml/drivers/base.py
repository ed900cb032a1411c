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
validated by the driver's ``params_model`` (a pydantic model that forbids unknown keys), which
is the model its generic base names (``FaultDriver[KillParams]``) unless the class sets another.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from chaosml.contract.catalogue import Role
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.contract.sample import Sample
from chaosml.contract.targets import TargetMember

P = TypeVar("P", bound=Params)  # a driver's own parameter model: ``FaultDriver[KillParams]``


class Driver(ABC, Generic[P]):
    """Common to every driver: its kind, role, parameter model and a one-line summary.

    Generic in its parameter model ``P``: a driver subclasses ``FaultDriver[KillParams]``, its
    ``params_model`` is ``KillParams`` (said once, in the base; a class may still set it) and
    its methods take ``params: KillParams``. The engine passes only what ``params_model``
    validated, so no driver checks the type again.
    """

    kind: ClassVar[str]
    role: ClassVar[Role]
    params_model: ClassVar[type[Params]]
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A class whose own generic base names its model (``FaultDriver[KillParams]``) and that
        does not set ``params_model`` gets that model; any other inherits its parent's."""
        super().__init_subclass__(**kwargs)
        named = _named_params(cls)
        if "params_model" not in vars(cls) and named and issubclass(named, Params):
            cls.params_model = named

    def describe(self, params: P) -> str:
        """One line for plans and progress; override for something friendlier."""
        shown = params.model_dump(exclude_none=True)
        return f"{self.kind} {shown}" if shown else self.kind


def declared_params(cls: type) -> type | None:
    """The parameter model a driver class names in its generic base (``FaultDriver[KillParams]``,
    ``_ContainerFault[KillParams]``), or None when it names none (an unparameterised plugin)."""
    for klass in cls.__mro__:
        named = _named_params(klass)
        if named is not None:
            return named
    return None


def _named_params(cls: type) -> type | None:
    """The parameter model ``cls`` itself names in a generic driver base, if it names one."""
    for base in vars(cls).get("__orig_bases__", ()):
        origin = get_origin(base)
        if isinstance(origin, type) and issubclass(origin, Driver):
            concrete = [a for a in get_args(base) if isinstance(a, type)]
            if concrete:
                return concrete[0]
    return None


class FaultDriver(Driver[P]):
    role: ClassVar[Role] = "fault"

    @abstractmethod
    def plan(self, params: P, ctx: DriverContext) -> UndoRecord | None:
        """The undo record for this fault, computed before anything changes (None: no undo)."""

    @abstractmethod
    def apply(self, params: P, ctx: DriverContext) -> None:
        """Make the change. On a half-way failure undo what was done, then raise."""

    @abstractmethod
    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        """Reverse the change described by ``record``; idempotent, safe in a new process."""

    @contextmanager
    def undone_on_failure(self, record: UndoRecord, ctx: DriverContext) -> Iterator[None]:
        """Around the steps of ``apply()``: when one fails, ``undo(record)`` reverses what was
        done (the undo is idempotent, so steps not reached cost nothing), then the error rises."""
        try:
            yield
        except Exception:
            self.undo(record, ctx)
            raise

    def applied_evidence(
        self, params: P, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """What the change did, observed right after ``apply()``; None: nothing to say."""
        return None

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        """What the fault did while in place, read just before ``undo()``; None: nothing."""
        return None

    def duration_hint(self, params: P) -> float:
        """Seconds the fault itself takes to apply at worst (for the max_duration check)."""
        return 0.0


class ActionDriver(Driver[P]):
    role: ClassVar[Role] = "action"

    @abstractmethod
    def run(self, params: P, ctx: DriverContext) -> Sample | None:
        """Perform the operation; there is no undo."""


class ProbeDriver(Driver[P]):
    role: ClassVar[Role] = "probe"

    @abstractmethod
    def sample(self, params: P, ctx: DriverContext) -> Sample:
        """Read a value. Raise ProbeError/InfrastructureError when it cannot be read."""


class TargetDriver(Driver[P]):
    role: ClassVar[Role] = "target"

    @abstractmethod
    def candidates(self, params: P, ctx: DriverContext) -> list[TargetMember]:
        """Everything the selector matches, before opt-in filtering and sampling."""
