"""k8s faults on the in-memory FakeKubeApi: write-ahead undo data, exact restore, no clobbering."""

from __future__ import annotations

from typing import Any

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.drivers.k8s_client import ref_for
from chaosml.drivers.k8s_fake import FakeKubeApi
from chaosml.drivers.k8s_faults import (
    ConfigMapParams,
    K8sConfigMapPatch,
    K8sScale,
    K8sServiceBlackhole,
    ScaleParams,
    TargetParams,
)
from chaosml.drivers.k8s_objects import ApplyParams, K8sApply
from chaosml.drivers.k8s_pods import K8sPodDelete, PodParams
from chaosml.drivers.k8s_target import member_id
from chaosml.errors import DriverError, UndoError

NS = "ml"


def _ctx(kind: str, *names: str) -> DriverContext:
    members = tuple(TargetMember(member_id(kind, NS, n), f"{NS}/{n}") for n in names)
    return DriverContext(
        run_id="run1", targets={"t": ResolvedTarget("t", "k8s", members, len(members))},
        fault_id="m0",
    )  # fmt: skip


def _replicas(api: FakeKubeApi, name: str) -> Any:
    found = api.get(ref_for("deployment", NS, name))
    assert found is not None
    return found["spec"]["replicas"]


@pytest.fixture
def api() -> FakeKubeApi:
    api = FakeKubeApi()
    api.add("deployment", NS, "model", spec={"replicas": 3})
    api.add("service", NS, "svc", spec={"selector": {"app": "model", "tier": "a"}})
    api.add("configmap", NS, "cfg", data={"model_path": "/m/v1"})
    return api


def test_scale_journals_uid_version_and_previous_count_then_undo_restores_it(
    api: FakeKubeApi,
) -> None:
    fault, ctx, params = (
        K8sScale(api),
        _ctx("deployment", "model"),
        ScaleParams(target="t", replicas=0),
    )
    record = fault.plan(params, ctx)
    assert record is not None
    [change] = record.data["changes"]
    assert change["previous"] == 3 and change["value"] == 0
    assert change["uid"].startswith("uid-model") and change["resource_version"]

    fault.apply(params, ctx)
    assert _replicas(api, "model") == 0
    fault.undo(record, ctx)
    assert _replicas(api, "model") == 3
    fault.undo(record, ctx)  # a second undo is a no-op
    assert _replicas(api, "model") == 3


def test_scale_undo_refuses_to_overwrite_a_later_change_and_names_it(api: FakeKubeApi) -> None:
    fault, ctx, params = (
        K8sScale(api),
        _ctx("deployment", "model"),
        ScaleParams(target="t", replicas=0),
    )
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    api.json_patch(
        ref_for("deployment", NS, "model"), [{"op": "add", "path": "/spec/replicas", "value": 5}]
    )

    with pytest.raises(UndoError) as refused:
        fault.undo(record, ctx)

    assert "deployment ml/model changed since the fault" in refused.value.message
    assert "/spec/replicas is 5, the fault set 0" in refused.value.message
    assert _replicas(api, "model") == 5


def test_undo_refuses_an_object_deleted_and_recreated_since(api: FakeKubeApi) -> None:
    fault, ctx, params = (
        K8sScale(api),
        _ctx("deployment", "model"),
        ScaleParams(target="t", replicas=0),
    )
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    api.delete(ref_for("deployment", NS, "model"))
    api.add("deployment", NS, "model", spec={"replicas": 0})

    with pytest.raises(UndoError, match="deleted and re-created since the fault"):
        fault.undo(record, ctx)


def test_blackhole_restores_the_exact_selector(api: FakeKubeApi) -> None:
    fault, ctx, params = K8sServiceBlackhole(api), _ctx("service", "svc"), TargetParams(target="t")
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    svc = api.get(ref_for("service", NS, "svc"))
    assert svc is not None and svc["spec"]["selector"] == {"chaosml.io/blackhole": "run1.m0"}
    fault.undo(record, ctx)
    svc = api.get(ref_for("service", NS, "svc"))
    assert svc is not None and svc["spec"]["selector"] == {"app": "model", "tier": "a"}


def test_configmap_patch_restores_previous_data_and_removes_added_keys(api: FakeKubeApi) -> None:
    fault, ctx = K8sConfigMapPatch(api), _ctx("configmap", "cfg")
    params = ConfigMapParams(target="t", data={"model_path": "/m/bad", "flag": "on"})
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    cfg = api.get(ref_for("configmap", NS, "cfg"))
    assert cfg is not None and cfg["data"] == {"model_path": "/m/bad", "flag": "on"}
    fault.undo(record, ctx)
    cfg = api.get(ref_for("configmap", NS, "cfg"))
    assert cfg is not None and cfg["data"] == {"model_path": "/m/v1"}


def test_a_fault_refuses_a_target_of_another_kind(api: FakeKubeApi) -> None:
    with pytest.raises(
        DriverError, match="holds services; this fault acts on deployment or statefulsets"
    ):
        K8sScale(api).plan(ScaleParams(target="t", replicas=0), _ctx("service", "svc"))


def test_pod_delete_refuses_orphans_unless_allowed(api: FakeKubeApi) -> None:
    api.add("pod", NS, "lonely")
    fault, ctx = K8sPodDelete(api), _ctx("pod", "lonely")
    with pytest.raises(DriverError, match="no owning controller"):
        fault.plan(PodParams(target="t"), ctx)
    assert api.get(ref_for("pod", NS, "lonely")) is not None

    fault.apply(PodParams(target="t", allow_orphans=True), ctx)
    assert api.get(ref_for("pod", NS, "lonely")) is None


def test_apply_labels_the_object_with_the_run_and_an_expiry_and_undo_deletes_it(
    api: FakeKubeApi,
) -> None:
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "chaos"}}
    fault, ctx, params = K8sApply(api), _ctx("pod"), ApplyParams(namespace=NS, manifest=manifest)
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    created = api.get(ref_for("configmap", NS, "chaos"))
    assert created is not None
    assert created["metadata"]["labels"]["chaosml.run_id"] == "run1"
    assert created["metadata"]["annotations"]["chaosml.io/expires-at"].endswith("Z")
    fault.undo(record, ctx)
    assert api.get(ref_for("configmap", NS, "chaos")) is None
    fault.undo(record, ctx)  # gone: nothing to do


def test_apply_undo_does_not_delete_an_object_someone_replaced(api: FakeKubeApi) -> None:
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "chaos"}}
    fault, ctx, params = K8sApply(api), _ctx("pod"), ApplyParams(namespace=NS, manifest=manifest)
    record = fault.plan(params, ctx)
    assert record is not None
    fault.apply(params, ctx)
    api.delete(ref_for("configmap", NS, "chaos"))
    api.add("configmap", NS, "chaos")
    with pytest.raises(UndoError, match=r"no longer carries chaosml\.run_id=run1"):
        fault.undo(record, ctx)
    assert api.get(ref_for("configmap", NS, "chaos")) is not None


def test_apply_wants_exactly_one_manifest_source() -> None:
    with pytest.raises(ValueError, match="exactly one of 'manifest'"):
        ApplyParams(namespace=NS)
