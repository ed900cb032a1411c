"""An in-memory stand-in for ``KubeApi`` (unit tests, driver authors): objects as dictionaries.

It keeps uids and resourceVersions as the API server does (every write bumps the version),
applies JSON patches with ``test`` operations (a failed test is a ``ConflictError``), honours
uid preconditions on delete, and raises the same chaosml errors as the real client. ``forbid``
makes one verb on one plural resource answer 403, like RBAC.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from chaosml.drivers.k8s_client import (
    KINDS,
    ConflictError,
    ForbiddenError,
    KubeApi,
    Ref,
    Resource,
    ref_of,
)
from chaosml.drivers.k8s_fields import ABSENT, read
from chaosml.errors import DriverError


class FakeKubeApi(KubeApi):
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.forbidden: set[tuple[str, str]] = set()
        self.evicted: list[str] = []
        self._versions = itertools.count(100)

    # -- setting up --------------------------------------------------------------------------
    def add(self, word: str, namespace: str, name: str, **fields: Any) -> dict[str, Any]:
        api_version, kind, _ = KINDS[word]
        meta = {"name": name, "namespace": namespace, **fields.pop("metadata", {})}
        obj = {"apiVersion": api_version, "kind": kind, "metadata": meta, **fields}
        return self._store(obj, new=True)

    def forbid(self, verb: str, plural: str) -> None:
        self.forbidden.add((verb, plural))

    # -- KubeApi -----------------------------------------------------------------------------
    def list_objects(
        self, word: str, namespace: str, labels: str = "", fields: str = ""
    ) -> list[dict[str, Any]]:
        self._check("list", KINDS[word][2], namespace)
        wanted = dict(p.split("=", 1) for p in labels.split(",") if "=" in p)
        kind = KINDS[word][1]
        return [
            copy.deepcopy(o)
            for (k, ns, _), o in sorted(self.objects.items())
            if k == kind and ns == namespace and _has_labels(o, wanted)
        ]

    def get(self, ref: Ref) -> dict[str, Any] | None:
        found = self.objects.get((ref.kind, ref.namespace, ref.name))
        return copy.deepcopy(found) if found is not None else None

    def create(self, manifest: dict[str, Any], namespace: str) -> dict[str, Any]:
        obj = copy.deepcopy(manifest)
        obj["metadata"]["namespace"] = namespace
        ref = ref_of(obj)
        if (ref.kind, namespace, ref.name) in self.objects:
            raise ConflictError(f"{ref} already exists")
        return self._store(obj, new=True)

    def json_patch(self, ref: Ref, operations: list[dict[str, Any]]) -> dict[str, Any]:
        obj = self.get(ref)
        if obj is None:
            raise DriverError(f"{ref} not found")
        for op in operations:
            _apply_operation(obj, op)
        return self._store(obj)

    def preferred_group_versions(self) -> list[str]:
        return sorted({v for v, _ in self._served()} - {"v1"})

    def group_resources(self, group_version: str) -> list[Resource]:
        return [
            Resource(v, kind, kind.lower() + "s")
            for v, kind in sorted(self._served())
            if v == group_version and kind != "Namespace"
        ]

    def list_labelled(
        self, resource: Resource, namespace: str | None, labels: str
    ) -> list[dict[str, Any]]:
        """``labels`` here is one label key that must be present."""
        self._check("list", resource.plural, namespace or "")
        return [
            copy.deepcopy(o)
            for (kind, ns, _), o in sorted(self.objects.items())
            if (o["apiVersion"], kind) == (resource.api_version, resource.kind)
            and namespace in {None, ns}
            and labels in (o["metadata"].get("labels") or {})
        ]

    def _served(self) -> set[tuple[str, str]]:
        """The built-in kinds chaosml names, and the kind of every object stored (a CRD's)."""
        stored = {(o["apiVersion"], o["kind"]) for o in self.objects.values()}
        return stored | {(v, k) for v, k, _ in KINDS.values()}

    def delete(
        self, ref: Ref, uid: str = "", grace_s: int | None = None, dry_run: bool = False
    ) -> bool:
        self._check("delete", ref.kind.lower() + "s", ref.namespace)
        key = (ref.kind, ref.namespace, ref.name)
        found = self.objects.get(key)
        if found is None:
            return False
        if uid and found["metadata"]["uid"] != uid:
            raise ConflictError(f"{ref}: precondition failed: uid {uid}")
        if not dry_run:
            del self.objects[key]
        return True

    def evict(self, namespace: str, name: str, grace_s: int | None) -> bool:
        self._check("create", "pods/eviction", namespace)
        self.evicted.append(f"{namespace}/{name}")
        return self.delete(Ref("v1", "Pod", namespace, name))

    # -- internals ---------------------------------------------------------------------------
    def _store(self, obj: dict[str, Any], new: bool = False) -> dict[str, Any]:
        meta = obj["metadata"]
        version = next(self._versions)
        if new:
            meta.setdefault("uid", f"uid-{meta['name']}-{version}")
        meta["resourceVersion"] = str(version)
        self.objects[(obj["kind"], meta["namespace"], meta["name"])] = obj
        return copy.deepcopy(obj)

    def _check(self, verb: str, plural: str, namespace: str) -> None:
        if (verb, plural) in self.forbidden:
            raise ForbiddenError(
                f"forbidden: chaosml may not {verb} {plural} in namespace {namespace}"
            )


def _has_labels(obj: dict[str, Any], wanted: dict[str, str]) -> bool:
    labels = obj["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in wanted.items())


def _apply_operation(obj: dict[str, Any], op: dict[str, Any]) -> None:
    path = op["path"]
    if op["op"] == "test":
        if read(obj, path) != op["value"]:
            raise ConflictError(f"the test of {path} failed")
        return
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    parent = obj
    for part in parts[:-1]:
        parent = parent[part]
    if op["op"] == "remove":
        if read(obj, path) == ABSENT:
            raise DriverError(f"cannot remove {path}: absent")
        del parent[parts[-1]]
    else:
        parent[parts[-1]] = copy.deepcopy(op["value"])
