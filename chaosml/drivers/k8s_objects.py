"""Faults that create objects: ``k8s.apply`` and ``k8s.networkpolicy.isolate``.

Every object created carries the run id label (``chaosml.run_id``) and an expiry annotation
(``chaosml.io/expires-at``, RFC 3339 UTC): cleanup finds leftovers by them. The undo record
names the object (apiVersion, kind, namespace, name) and the run id; the undo deletes it only
while it still carries this run's label (with the uid read then as the delete's precondition),
so an object someone replaced in the meantime is not deleted: the undo refuses and the run
ends 6. An object already gone needs nothing (a second rollback is a no-op).

``k8s.apply`` takes any manifest, inline (``manifest:``) or from a file (``file:``, YAML),
e.g. a Chaos Mesh ``NetworkChaos`` or a Litmus ``ChaosEngine``: chaosml is the blast-radius and
verification layer over the in-cluster engine. The manifest must name itself
(``metadata.name``); its namespace is the step's ``namespace`` (checked against
``blast_radius.namespaces``).
``k8s.networkpolicy.isolate`` creates a NetworkPolicy denying all ingress and egress of the
target's pods (pods: selected by a label the fault puts on exactly the chosen pods;
deployments/statefulsets: by their own pod selector).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from chaosml.contract.checks import ExactlyOne
from chaosml.contract.context import RUN_ID_LABEL, DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.k8s_client import KubeApi, Ref, UsesKube, ref_of
from chaosml.drivers.k8s_faults import TargetParams, objects, target_refs
from chaosml.drivers.k8s_fields import FieldChange, apply_changes, plan_change, pointer, restore
from chaosml.errors import DriverError, UndoError
from chaosml.model.types import Duration

EXPIRES_ANNOTATION = "chaosml.io/expires-at"
ISOLATE_LABEL = "chaosml.io/isolate"


DEFAULT_EXPIRY_S = 3600.0  # a run without a bound (--keep-faults, replay)


def expires_at(after_s: float | None, ctx: DriverContext) -> str:
    """The step's ``expires_after`` from now when given; else when the run's faults are undone
    at the latest (``engine/fault_bound.py``: duration bound + undo timeouts + a margin)."""
    if after_s is not None:
        moment = datetime.now(UTC) + timedelta(seconds=after_s)
    elif ctx.faults_end_by is not None:
        moment = datetime.fromtimestamp(ctx.faults_end_by, UTC)
    else:
        moment = datetime.now(UTC) + timedelta(seconds=DEFAULT_EXPIRY_S)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stamped(manifest: dict[str, Any], ctx: DriverContext, after_s: float | None) -> dict[str, Any]:
    """The manifest with the run id label and the expiry annotation."""
    meta = dict(manifest.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), RUN_ID_LABEL: ctx.run_id}
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        EXPIRES_ANNOTATION: expires_at(after_s, ctx),
    }
    return {**manifest, "metadata": meta}


def object_record(kind: str, ref: Ref, run_id: str, extra: dict[str, Any]) -> UndoRecord:
    data = {
        "api_version": ref.api_version,
        "kind": ref.kind,
        "namespace": ref.namespace,
        "name": ref.name,
        "run_id": run_id,
        **extra,
    }
    return UndoRecord(kind, data, f"delete {ref}")


def delete_created(api: KubeApi, record: UndoRecord) -> None:
    """Delete the object the fault created, unless someone replaced it since."""
    raw = record.data
    ref = Ref(str(raw["api_version"]), str(raw["kind"]), str(raw["namespace"]), str(raw["name"]))
    found = api.get(ref)
    if found is None:
        return
    meta = found.get("metadata") or {}
    owner = (meta.get("labels") or {}).get(RUN_ID_LABEL)
    if owner != raw["run_id"]:
        raise UndoError(
            f"{ref} changed since the fault: it no longer carries {RUN_ID_LABEL}={raw['run_id']} "
            f"(it has {owner!r}); not deleted"
        )
    api.delete(ref, uid=str(meta.get("uid", "")))


class ApplyParams(ExactlyOne):
    namespace: str = Field(min_length=1)
    manifest: dict[str, Any] | None = None
    file: str | None = None
    expires_after: Duration | None = Field(default=None, gt=0)

    one_of = ("manifest", "file")
    one_of_error = "give exactly one of 'manifest' (inline) or 'file'"

    def load(self) -> dict[str, Any]:
        if self.manifest is not None:
            found: Any = self.manifest
        else:
            assert self.file is not None
            try:
                found = yaml.safe_load(Path(self.file).read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise DriverError(f"cannot read the manifest {self.file}: {exc}") from exc
        if not isinstance(found, dict) or not (found.get("metadata") or {}).get("name"):
            raise DriverError(
                "the manifest must be one object with apiVersion, kind, metadata.name"
            )
        if "apiVersion" not in found or "kind" not in found:
            raise DriverError(
                "the manifest must be one object with apiVersion, kind, metadata.name"
            )
        return {**found, "metadata": {**found["metadata"], "namespace": self.namespace}}


class K8sApply(UsesKube, FaultDriver[ApplyParams]):
    kind = "k8s.apply"
    summary = "create any manifest (Chaos Mesh, Litmus ...) labelled with the run; undo deletes it"

    def describe(self, params: ApplyParams) -> str:
        ref = ref_of(params.load())
        return f"create {ref.kind} {params.namespace}/{ref.name}"

    def plan(self, params: ApplyParams, ctx: DriverContext) -> UndoRecord | None:
        return object_record(self.kind, ref_of(params.load()), ctx.run_id, {})

    def apply(self, params: ApplyParams, ctx: DriverContext) -> None:
        manifest = stamped(params.load(), ctx, params.expires_after)
        self.api.create(manifest, params.namespace)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        delete_created(self.api, record)


class IsolateParams(TargetParams):
    expires_after: Duration | None = Field(default=None, gt=0)


class K8sNetworkPolicyIsolate(UsesKube, FaultDriver[IsolateParams]):
    kind = "k8s.networkpolicy.isolate"
    summary = "a NetworkPolicy denying all traffic of the target's pods; undo deletes it"

    def plan(self, params: IsolateParams, ctx: DriverContext) -> UndoRecord | None:
        refs = target_refs(ctx, params.target, {"pod", "deployment", "statefulset"})
        policy = Ref("networking.k8s.io/v1", "NetworkPolicy", refs[0].namespace, _name(ctx))
        labelled = [c.to_json() for c in self._pod_labels(refs, ctx)]
        return object_record(self.kind, policy, ctx.run_id, {"labelled": labelled})

    def apply(self, params: IsolateParams, ctx: DriverContext) -> None:
        refs = target_refs(ctx, params.target, {"pod", "deployment", "statefulset"})
        apply_changes(self.api, self._pod_labels(refs, ctx))
        body = _policy(_name(ctx), refs[0].namespace, self._selector(refs, ctx))
        self.api.create(stamped(body, ctx, params.expires_after), refs[0].namespace)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        delete_created(self.api, record)
        for raw in record.data.get("labelled", []):
            try:
                restore(self.api, FieldChange.from_json(raw))
            except UndoError as exc:
                if "was deleted" not in exc.message:
                    raise  # a deleted pod needs no label removed

    def _pod_labels(self, refs: list[Ref], ctx: DriverContext) -> list[FieldChange]:
        pods = [r for r in refs if r.kind == "Pod"]
        path = pointer("metadata", "labels", ISOLATE_LABEL)
        return [plan_change(obj, path, _name(ctx)) for obj in objects(self.api, pods)]

    def _selector(self, refs: list[Ref], ctx: DriverContext) -> dict[str, Any]:
        if refs[0].kind == "Pod":
            return {"matchLabels": {ISOLATE_LABEL: _name(ctx)}}
        selectors = [dict(obj["spec"]["selector"]) for obj in objects(self.api, refs)]
        if len(refs) > 1:
            raise DriverError("k8s.networkpolicy.isolate takes one workload per step")
        return selectors[0]


def _name(ctx: DriverContext) -> str:
    return f"chaosml-isolate-{ctx.run_id}-{ctx.fault_id}".lower()[:63].rstrip("-.")


def _policy(name: str, namespace: str, selector: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"podSelector": selector, "policyTypes": ["Ingress", "Egress"]},
    }
