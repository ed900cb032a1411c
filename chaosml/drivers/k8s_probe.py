"""The ``k8s`` probe: what the Kubernetes API says about a workload, pods, an object or events.

``k8s: {kind: deployment, namespace: ml, name: model-server, field: ready_replicas}``

========================= ==================================================================
field                     value
========================= ==================================================================
ready_replicas            a deployment's/statefulset's ``status.readyReplicas`` (0 if unset)
available_replicas        ``status.availableReplicas``
updated_replicas          ``status.updatedReplicas``
replicas                  ``spec.replicas``
exists                    true when the object (``name``) exists
path                      the value at ``path`` (dotted, e.g. ``spec.selector.app``), or null
pods                      the number of live pods matching ``labels`` and ``selector``
ready_pods                the number of those that are Ready
running_pods              the number of those in phase Running
restarts                  the sum of their containers' restart counts
phase                     the phase of the pod ``name``
endpoints                 the ready addresses of the service ``name``'s Endpoints
events                    how many events with ``reason`` happened in the last ``within``
========================= ==================================================================

Every value can be compared by the usual expectations (``equals``, ``below``,
``within_percent_of_baseline`` ...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.drivers.k8s_client import UsesKube, ref_for
from chaosml.drivers.k8s_target import label_selector
from chaosml.model.types import Duration

ProbeField = Literal[
    "ready_replicas",
    "available_replicas",
    "updated_replicas",
    "replicas",
    "exists",
    "path",
    "pods",
    "ready_pods",
    "running_pods",
    "restarts",
    "phase",
    "endpoints",
    "events",
]
ObjectKind = Literal[
    "pod", "deployment", "statefulset", "replicaset", "service", "configmap", "networkpolicy"
]
_STATUS = {
    "ready_replicas": "readyReplicas",
    "available_replicas": "availableReplicas",
    "updated_replicas": "updatedReplicas",
}
_NEEDS_NAME = {"ready_replicas", "available_replicas", "updated_replicas", "replicas", "exists"}
_NEEDS_NAME |= {"path", "phase", "endpoints"}


class K8sProbeParams(Params):
    namespace: str = Field(min_length=1)
    kind: ObjectKind = "deployment"
    name: str | None = None
    labels: dict[str, str] = {}
    selector: str = ""  # a label selector expression, e.g. "app=model,tier in (a,b),canary"
    field: ProbeField = "ready_replicas"
    path: str | None = None
    reason: str | None = None
    within: Duration = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> K8sProbeParams:
        if self.field in _NEEDS_NAME and not self.name:
            raise ValueError(f"field '{self.field}' needs 'name' (the object to read)")
        if self.field == "path" and not self.path:
            raise ValueError("field 'path' needs 'path' (dotted, e.g. spec.replicas)")
        if self.field == "events" and not self.reason:
            raise ValueError("field 'events' needs 'reason' (e.g. Killing, BackOff)")
        return self


class K8sProbe(UsesKube, ProbeDriver[K8sProbeParams]):
    kind = "k8s"
    summary = "replicas, pod phase/readiness/restarts, an object or a field, recent events"

    def sample(self, params: K8sProbeParams, ctx: DriverContext) -> Sample:
        if params.field == "events":
            return Sample(value=self._events(params))
        if params.field in {"pods", "ready_pods", "running_pods", "restarts"}:
            return Sample(value=self._pods(params))
        assert params.name is not None
        kind = "endpoints" if params.field == "endpoints" else params.kind
        obj = self.api.get(ref_for(kind, params.namespace, params.name))
        return Sample(value=_from_object(obj, params), details={"exists": obj is not None})

    def _pods(self, params: K8sProbeParams) -> int:
        pods = [
            p
            for p in self.api.list_objects("pod", params.namespace, _selector(params))
            if not p["metadata"].get("deletionTimestamp")
        ]
        if params.field == "ready_pods":
            return sum(1 for p in pods if _ready(p))
        if params.field == "running_pods":
            return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running")
        if params.field == "restarts":
            return sum(_restarts(p) for p in pods)
        return len(pods)

    def _events(self, params: K8sProbeParams) -> int:
        found = self.api.list_objects("event", params.namespace, fields=f"reason={params.reason}")
        now = datetime.now(UTC)
        return sum(1 for e in found if _age_s(e, now) <= params.within)


def _selector(params: K8sProbeParams) -> str:
    return ",".join(s for s in (label_selector(params.labels), params.selector) if s)


def _from_object(obj: dict[str, Any] | None, params: K8sProbeParams) -> Any:
    if params.field == "exists":
        return obj is not None
    if obj is None:
        return None
    if params.field == "replicas":
        return (obj.get("spec") or {}).get("replicas")
    if params.field == "phase":
        return (obj.get("status") or {}).get("phase")
    if params.field == "endpoints":
        subsets = obj.get("subsets") or []
        return sum(len(s.get("addresses") or []) for s in subsets)
    if params.field == "path":
        assert params.path is not None
        return dotted(obj, params.path)
    return int((obj.get("status") or {}).get(_STATUS[params.field]) or 0)


def dotted(obj: Any, path: str) -> Any:
    node = obj
    for part in path.lstrip("$.").split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _ready(pod: dict[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _restarts(pod: dict[str, Any]) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return sum(int(s.get("restartCount") or 0) for s in statuses)


def _age_s(event: dict[str, Any], now: datetime) -> float:
    stamp = event.get("lastTimestamp") or event.get("eventTime") or ""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (now - moment).total_seconds()
