"""Which alert instance, if any, this run's fault caused (pure; DESIGN.md §1, "Truth of the
verdict").

An alert counts as detection only when it became active after the fault it is attributed to
and, with ``match_target``, on the faulted target. Every time here is already on chaosml's
clock (``alert_clocks.to_local``). Instances that do not count are kept with the reason, so the
journal can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml.json_fields import json_fields

ALREADY_ACTIVE = "already active at the steady-state check"
BEFORE_FAULT = "started before the fault"
OTHER_TARGET = "on another target"
NOT_YET = "not yet"
LATER = "also caused by the fault, but started after the instance that counted"


@dataclass(frozen=True)
class Instance:
    """One alert instance as a source reports it, its start mapped into chaosml's clock."""

    labels: dict[str, str]
    state: str
    active_at: float | None  # chaosml's wall clock
    source_active_at: float | None = None  # as the source stamped it (its own clock)
    fired_at: float | None = None  # chaosml's clock: when it turned firing (None: not firing)

    def to_json(self) -> dict[str, Any]:
        return json_fields(self, "labels", "state", "active_at", "source_active_at")


@dataclass(frozen=True)
class Timeline:
    """The run's moments an instance is judged against (chaosml's wall clock)."""

    fault_wall: float | None  # the fault the alert is attributed to (its apply returned)
    steady_wall: float | None = None  # when the steady-state check read the alert inactive
    began_wall: float | None = None  # when that fault's apply began: it may act before it returns

    @property
    def since(self) -> float | None:
        """From when an instance can be the fault's doing: its apply's start, when known."""
        if self.began_wall is None or self.fault_wall is None:
            return self.fault_wall
        return min(self.began_wall, self.fault_wall)


@dataclass
class Attribution:
    counted: Instance | None = None
    proven: bool = False  # False: counted only because allow_already_firing let it
    rejected: list[tuple[Instance, str]] = field(default_factory=list)

    def rejected_json(self) -> list[dict[str, Any]]:
        return [{**i.to_json(), "why": why} for i, why in self.rejected]


Binding = list[dict[str, str]]  # per faulted member: label → the value it must have


def bound_to_target(labels: dict[str, str], binding: Binding | None) -> bool:
    """True without a binding, or when ``labels`` carry every label of one faulted member's."""
    if binding is None:
        return True
    return any(all(labels.get(k) == v for k, v in member.items()) for member in binding)


def attribute(
    instances: list[Instance],
    wanted: set[str],
    timeline: Timeline,
    binding: Binding | None = None,
    allow_already_firing: bool = False,
) -> Attribution:
    """The instance that counts as this fault's detection (earliest first), and why the others
    do not. With ``allow_already_firing`` an instance older than the fault counts, unproven."""
    result = Attribution()
    fallback: Instance | None = None
    for instance in sorted(instances, key=_start):
        why = why_not(instance, wanted, timeline, binding)
        if why is None and result.counted is None:
            result.counted, result.proven = instance, True
        elif why is None:
            result.rejected.append((instance, LATER))
        else:
            result.rejected.append((instance, why))
            if allow_already_firing and _only_too_early(why) and fallback is None:
                fallback = instance
    if result.counted is None and fallback is not None:
        result.counted = fallback
        result.rejected = [(i, w) for i, w in result.rejected if i is not fallback]
    return result


def why_not(
    instance: Instance, wanted: set[str], timeline: Timeline, binding: Binding | None
) -> str | None:
    """None when ``instance`` is a detection of the fault; otherwise the reason it is not."""
    if not bound_to_target(instance.labels, binding):
        return f"{OTHER_TARGET} ({_mismatch(instance.labels, binding or [])})"
    if instance.state not in wanted:
        return f"{NOT_YET} {' or '.join(sorted(wanted))} (state {instance.state})"
    if timeline.fault_wall is None:
        return "no fault was applied before the expectation"
    start = instance.active_at
    if start is None:
        return "the source gave no start time (activeAt/startsAt)"
    since = timeline.since
    if since is not None and start >= since:
        return None
    early = timeline.fault_wall - start
    if timeline.steady_wall is not None and start >= timeline.steady_wall:
        return f"{BEFORE_FAULT} (by {early:.3f}s, after the steady-state check)"
    return f"{ALREADY_ACTIVE}: {BEFORE_FAULT} (by {early:.3f}s)"


def _only_too_early(why: str) -> bool:
    return BEFORE_FAULT in why


def _mismatch(labels: dict[str, str], binding: Binding) -> str:
    keys = sorted({k for member in binding for k in member})
    hit = " or ".join(", ".join(f"{k}={m.get(k)!r}" for k in keys) for m in binding)
    mine = ", ".join(f"{k}={labels.get(k)!r}" for k in keys)
    return f"{mine}; the fault hit {hit or 'nothing'}"


def _start(instance: Instance) -> float:
    return instance.active_at if instance.active_at is not None else float("inf")


def time_to_detect(
    counted: Instance, proven: bool, fault_wall: float | None, state: str = "firing"
) -> float | None:
    """Seconds from the fault to the counted instance reaching ``state`` (firing: when it
    turned firing; pending: when it became active); None when not proven."""
    start = counted.fired_at if state == "firing" and counted.fired_at else counted.active_at
    if not proven or start is None or fault_wall is None:
        return None
    return round(max(0.0, start - fault_wall), 4)
