"""Kubernetes faults on the objects of a ``k8s`` blast-radius target (docs/drivers/k8s.md).

=========================== ============================================ ========================
fault                       does                                         undo
=========================== ============================================ ========================
k8s.pod.delete              delete the pods (``grace_period``)           none: their controller
                                                                         replaces them
k8s.pod.evict               evict them through the Eviction API (PDBs)   none, as above
k8s.scale                   set a deployment's/statefulset's replicas    the recorded count
k8s.service.blackhole       the service selects no pod                   the exact selector
k8s.configmap.patch         set keys of ``data``                         the exact previous data
=========================== ============================================ ========================

The undo records carry each object's uid, resourceVersion and exact previous value
(``k8s_fields``); an undo never overwrites a change made after its fault.
``k8s.networkpolicy.isolate`` and ``k8s.apply`` create objects (``k8s_objects``).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, TypeVar

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import UndoRecord
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.k8s_client import KubeApi, Ref, UsesKube, ref_for
from chaosml.drivers.k8s_fields import (
    FieldChange,
    apply_changes,
    plan_change,
    pointer,
    undo_changes,
)
from chaosml.drivers.k8s_target import parse_member_id
from chaosml.errors import DriverError

BLACKHOLE_LABEL = "chaosml.io/blackhole"


class TargetParams(Params):
    """Parameters of every k8s fault: the blast-radius target whose objects it acts on."""

    target: str


def target_refs(ctx: DriverContext, target: str, kinds: set[str]) -> list[Ref]:
    """The objects of a resolved ``k8s`` target; refuses members of another kind."""
    refs = []
    for member in ctx.target(target).members:
        kind, namespace, name = parse_member_id(member.id)
        if kind not in kinds:
            wanted = " or ".join(sorted(kinds))
            raise DriverError(f"target '{target}' holds {kind}s; this fault acts on {wanted}s")
        refs.append(ref_for(kind, namespace, name))
    return refs


def objects(api: KubeApi, refs: list[Ref]) -> list[dict[str, Any]]:
    found = []
    for ref in refs:
        obj = api.get(ref)
        if obj is None:
            raise DriverError(f"{ref} no longer exists")
        found.append(obj)
    return found


TP = TypeVar("TP", bound=TargetParams)


class _FieldFault(UsesKube, FaultDriver[TP]):
    """A fault that sets fields; its undo record is the list of ``FieldChange``s."""

    target_kinds: set[str]

    @abstractmethod
    def values(self, params: TP, ctx: DriverContext) -> dict[str, Any]:
        """What this fault sets on each object: JSON pointer -> value."""

    def changes(self, params: TP, ctx: DriverContext) -> list[FieldChange]:
        refs = target_refs(ctx, params.target, self.target_kinds)
        values = self.values(params, ctx)
        return [
            plan_change(obj, path, value)
            for obj in objects(self.api, refs)
            for path, value in values.items()
        ]

    def plan(self, params: TP, ctx: DriverContext) -> UndoRecord | None:
        changes = self.changes(params, ctx)
        shown = ", ".join(sorted({str(c.ref) for c in changes}))
        return UndoRecord(
            self.kind, {"changes": [c.to_json() for c in changes]}, f"restore {shown}"
        )

    def apply(self, params: TP, ctx: DriverContext) -> None:
        apply_changes(self.api, self.changes(params, ctx))

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        changes = [FieldChange.from_json(raw) for raw in record.data.get("changes", [])]
        undo_changes(self.api, changes)


class ScaleParams(TargetParams):
    replicas: int = Field(ge=0)


class K8sScale(_FieldFault[ScaleParams]):
    kind = "k8s.scale"
    summary = "set the replicas of deployments/statefulsets (0 = kill all); undo restores them"
    target_kinds = {"deployment", "statefulset"}

    def values(self, params: ScaleParams, ctx: DriverContext) -> dict[str, Any]:
        return {"/spec/replicas": params.replicas}


class K8sServiceBlackhole(_FieldFault[TargetParams]):
    kind = "k8s.service.blackhole"
    summary = "make services select no pod (patch the selector); undo restores it exactly"
    target_kinds = {"service"}

    def values(self, params: TargetParams, ctx: DriverContext) -> dict[str, Any]:
        nothing = {BLACKHOLE_LABEL: f"{ctx.run_id}.{ctx.fault_id}"[:63]}
        return {"/spec/selector": nothing}


class ConfigMapParams(TargetParams):
    data: dict[str, str] = Field(min_length=1)


class K8sConfigMapPatch(_FieldFault[ConfigMapParams]):
    kind = "k8s.configmap.patch"
    summary = "set keys of configmaps (model path, flags); undo restores the previous data"
    target_kinds = {"configmap"}

    def values(self, params: ConfigMapParams, ctx: DriverContext) -> dict[str, Any]:
        return {pointer("data", key): value for key, value in sorted(params.data.items())}
