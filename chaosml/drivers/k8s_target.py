"""The ``k8s`` target selector: Kubernetes objects by kind, namespace, labels and fields.

``blast_radius.targets.<name>.k8s: {kind: pod, namespace: ml-staging, labels: {app: model}}``
matches the objects of that kind in that namespace carrying every label given and matching the
``fields`` selector (the API's field selector, e.g. ``status.phase=Running``). Pods being
deleted, and pods that have finished (Succeeded/Failed), are not candidates.

The opt-in label: a pod is opted in when it carries it or when its owning workload does (its
Deployment through the ReplicaSet, its StatefulSet, its ReplicaSet): the workload's
``chaosml.io/*`` labels are added to the pod's for the blast-radius check. Members are sorted
by name, so the same ``--seed`` picks the same objects. A member's id is
``<kind>/<namespace>/<name>``; the faults read the object (and its uid) from the API.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.targets import TargetMember
from chaosml.drivers.base import TargetDriver
from chaosml.drivers.k8s_client import KubeApi, UsesKube

TargetKind = Literal["pod", "deployment", "statefulset", "service", "configmap"]
OPT_IN_PREFIX = "chaosml.io/"
_OWNER_KINDS = {"ReplicaSet": "replicaset", "StatefulSet": "statefulset"}


class K8sSelector(Params):
    kind: TargetKind
    namespace: str = Field(min_length=1)
    labels: dict[str, str] = {}
    fields: str = ""


def label_selector(labels: dict[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))


def member_id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}"


def parse_member_id(member: str) -> tuple[str, str, str]:
    kind, namespace, name = member.split("/", 2)
    return kind, namespace, name


class K8sTarget(UsesKube, TargetDriver[K8sSelector]):
    kind = "k8s"
    summary = "Kubernetes pods, deployments, statefulsets, services or configmaps by labels"

    def describe(self, params: K8sSelector) -> str:
        shown = [label_selector(params.labels), params.fields]
        matching = " and ".join(s for s in shown if s) or "any labels"
        return f"k8s {params.kind}s in {params.namespace} with {matching}"

    def candidates(self, params: K8sSelector, ctx: DriverContext) -> list[TargetMember]:
        found = self.api.list_objects(
            params.kind, params.namespace, label_selector(params.labels), params.fields
        )
        if params.kind == "pod":
            found = [pod for pod in found if _live(pod)]
            owners = _OwnerLabels(self.api, params.namespace) if found else None
            members = [_member(params.kind, p, owners.of(p) if owners else {}) for p in found]
        else:
            members = [_member(params.kind, obj, {}) for obj in found]
        return sorted(members, key=lambda m: m.name)


def _live(pod: dict[str, Any]) -> bool:
    meta = pod.get("metadata") or {}
    phase = (pod.get("status") or {}).get("phase")
    return not meta.get("deletionTimestamp") and phase not in {"Succeeded", "Failed"}


def _member(kind: str, obj: dict[str, Any], inherited: dict[str, str]) -> TargetMember:
    meta = obj.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    labels = {**inherited, **dict(meta.get("labels") or {})}
    return TargetMember(member_id(kind, namespace, name), f"{namespace}/{name}", labels)


class _OwnerLabels:
    """The ``chaosml.io/*`` labels of each pod's owning workload (one list call per kind)."""

    def __init__(self, api: KubeApi, namespace: str) -> None:
        self.api = api
        self.namespace = namespace
        self._objects: dict[tuple[str, str], dict[str, Any]] = {}
        self._listed: set[str] = set()

    def of(self, obj: dict[str, Any], depth: int = 0) -> dict[str, str]:
        owner = _controller(obj)
        if owner is None or depth > 2:
            return {}
        kind, name = owner
        found = self._get(kind, name)
        if found is None:
            return {}
        labels = dict((found.get("metadata") or {}).get("labels") or {})
        mine = {k: v for k, v in labels.items() if k.startswith(OPT_IN_PREFIX)}
        return {**self.of(found, depth + 1), **mine}

    def _get(self, kind: str, name: str) -> dict[str, Any] | None:
        word = _OWNER_KINDS.get(kind) or kind.lower()
        if word not in {"replicaset", "statefulset", "deployment"}:
            return None
        if word not in self._listed:
            self._listed.add(word)
            for item in self.api.list_objects(word, self.namespace):
                self._objects[(word, str(item["metadata"]["name"]))] = item
        return self._objects.get((word, name))


def _controller(obj: dict[str, Any]) -> tuple[str, str] | None:
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("controller"):
            return str(owner.get("kind")), str(owner.get("name"))
    return None
