"""``k8s.pod.delete`` and ``k8s.pod.evict``: take pods away; their controller brings them back.

Both act on every pod of a ``k8s`` pod target at once (``grace_period`` seconds, default the
pod's own). A pod without an owning controller would not come back, so both refuse it unless
``allow_orphans: true``. The undo record names each pod by namespace, name, uid,
resourceVersion and its controller; there is nothing to restore (the controller re-creates the
pods), so the undo only checks nothing is left to do and is a no-op on a second run.
Deletes carry the uid as a precondition: a pod re-created under the same name (a StatefulSet's)
is never deleted by mistake. Eviction goes through the Eviction API (policy/v1, or
policy/v1beta1 on 1.20/1.21 servers), so a PodDisruptionBudget can refuse it: the fault then
fails naming the pod and the API server's reason.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.docker_containers import Failure, for_each
from chaosml.drivers.k8s_client import Ref, UsesKube
from chaosml.drivers.k8s_faults import TargetParams, objects, target_refs
from chaosml.errors import DriverError, InfrastructureError


class PodParams(TargetParams):
    grace_period: int | None = Field(default=None, ge=0)
    allow_orphans: bool = False


def _pod_entry(pod: dict[str, Any]) -> dict[str, Any]:
    meta = pod["metadata"]
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    return {
        "namespace": meta["namespace"],
        "name": meta["name"],
        "uid": meta["uid"],
        "resource_version": meta.get("resourceVersion", ""),
        "owner": f"{owner['kind']}/{owner['name']}" if owner else None,
    }


class _PodFault(UsesKube, FaultDriver[PodParams]):
    verb: str

    def pods(self, params: PodParams, ctx: DriverContext) -> list[dict[str, Any]]:
        refs = target_refs(ctx, params.target, {"pod"})
        entries = [_pod_entry(pod) for pod in objects(self.api, refs)]
        orphans = [f"{e['namespace']}/{e['name']}" for e in entries if e["owner"] is None]
        if orphans and not params.allow_orphans:
            raise DriverError(
                f"{self.kind} refused: {', '.join(orphans)} has no owning controller, nothing "
                "would bring it back",
                hint="set 'allow_orphans: true' on the step to take it anyway",
            )
        return entries

    def plan(self, params: PodParams, ctx: DriverContext) -> UndoRecord | None:
        entries = self.pods(params, ctx)
        names = ", ".join(f"{e['namespace']}/{e['name']}" for e in entries)
        return UndoRecord(
            self.kind, {"pods": entries}, f"nothing to restore: controllers replace {names}"
        )

    def apply(self, params: PodParams, ctx: DriverContext) -> None:
        entries = self.pods(params, ctx)
        _, failed = for_each(
            entries, lambda e: self.act(e, params.grace_period), lambda e: str(e["name"])
        )
        if failed:
            raise _failure(self.kind, failed, len(entries))

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        """Nothing to restore: the pods' controllers re-create them."""

    def describe(self, params: PodParams) -> str:
        grace = f" (grace {params.grace_period}s)" if params.grace_period is not None else ""
        return f"{self.verb} the pods of target '{params.target}'{grace}"

    @abstractmethod
    def act(self, entry: dict[str, Any], grace_s: int | None) -> None:
        """Take one pod away."""


class K8sPodDelete(_PodFault):
    kind = "k8s.pod.delete"
    summary = "delete pods (grace period); refuses pods no controller would bring back"
    verb = "delete"

    def act(self, entry: dict[str, Any], grace_s: int | None) -> None:
        ref = Ref("v1", "Pod", entry["namespace"], entry["name"])
        self.api.delete(ref, uid=entry["uid"], grace_s=grace_s)


class K8sPodEvict(_PodFault):
    kind = "k8s.pod.evict"
    summary = "evict pods through the Eviction API, so PodDisruptionBudgets are honoured"
    verb = "evict"

    def act(self, entry: dict[str, Any], grace_s: int | None) -> None:
        self.api.evict(entry["namespace"], entry["name"], grace_s)


def _failure(kind: str, failures: list[Failure], total: int) -> DriverError:
    head = f"{kind} failed on {len(failures)} of {total} pod(s)"
    infra = [f.error for f in failures if isinstance(f.error, InfrastructureError)]
    if infra:
        return InfrastructureError(f"{head}: {infra[0].message}", hint=infra[0].hint)
    listed = "; ".join(f"{f.name}: {f.error.message}" for f in failures)
    return DriverError(f"{head}: {listed}", hint=failures[0].error.hint)
