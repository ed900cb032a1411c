"""The k8s target (opt-in through the owning workload), probe values, error translation and the
namespace allow-list, without a cluster (FakeKubeApi; an unreachable API on a closed port)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes.client.exceptions import ApiException

from chaosml.contract.context import DriverContext
from chaosml.drivers.k8s_client import KubeApi, reset_clients, translated
from chaosml.drivers.k8s_fake import FakeKubeApi
from chaosml.drivers.k8s_probe import K8sProbe, K8sProbeParams
from chaosml.drivers.k8s_target import K8sSelector, K8sTarget
from chaosml.engine.blast_radius import check_static
from chaosml.engine.state import RunOptions
from chaosml.errors import DriverError, InfrastructureError, ValidationError
from chaosml.io.ports import free_port
from chaosml.loader import load_text

NS = "ml"
CTX = DriverContext(run_id="r")


def _owned(kind: str, name: str) -> dict[str, object]:
    return {"ownerReferences": [{"kind": kind, "name": name, "controller": True}]}


@pytest.fixture
def api() -> FakeKubeApi:
    api = FakeKubeApi()
    api.add("deployment", NS, "model", metadata={"labels": {"chaosml.io/allow": "true"}})
    api.add("replicaset", NS, "model-1", metadata=_owned("Deployment", "model"))
    for i in range(3):
        meta = {"labels": {"app": "model"}, **_owned("ReplicaSet", "model-1")}
        ready = {"type": "Ready", "status": "True" if i else "False"}
        status = {"phase": "Running", "conditions": [ready]}
        api.add("pod", NS, f"model-{i}", metadata=meta, status=status)
    gone = {"labels": {"app": "model"}, "deletionTimestamp": "2026-01-01T00:00:00Z"}
    api.add("pod", NS, "model-old", metadata=gone)
    return api


def test_pods_inherit_the_opt_in_label_of_their_deployment_and_terminating_ones_are_left_out(
    api: FakeKubeApi,
) -> None:
    found = K8sTarget(api).candidates(
        K8sSelector(kind="pod", namespace=NS, labels={"app": "model"}), CTX
    )
    assert [m.name for m in found] == ["ml/model-0", "ml/model-1", "ml/model-2"]
    assert all(m.labels["chaosml.io/allow"] == "true" for m in found)
    assert found[0].id == "pod/ml/model-0"


def test_probe_counts_ready_pods_and_reads_workload_fields(api: FakeKubeApi) -> None:
    probe = K8sProbe(api)
    ready = probe.sample(
        K8sProbeParams(namespace=NS, field="ready_pods", labels={"app": "model"}), CTX
    )
    assert ready.value == 2
    exists = probe.sample(K8sProbeParams(namespace=NS, name="model", field="exists"), CTX)
    assert exists.value is True
    missing = probe.sample(K8sProbeParams(namespace=NS, name="nope", field="ready_replicas"), CTX)
    assert missing.value is None


def test_probe_field_that_reads_an_object_needs_its_name() -> None:
    with pytest.raises(ValueError, match="field 'ready_replicas' needs 'name'"):
        K8sProbeParams(namespace=NS)


def test_forbidden_names_the_verb_and_the_resource() -> None:
    exc = ApiException(status=403, reason="Forbidden")
    exc.body = '{"message": "pods is forbidden: User \\"x\\" cannot delete resource \\"pods\\""}'
    with pytest.raises(DriverError) as refused, translated("delete", "pods", NS):
        raise exc
    assert "chaosml may not delete pods in namespace ml" in refused.value.message
    assert "chaosml k8s rbac" in refused.value.hint


def test_an_unreachable_api_server_is_an_infrastructure_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "https://127.0.0.1:{free_port()}", insecure-skip-tls-verify: true}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: c, context: {{cluster: c, user: u}}}}]
current-context: c
"""
    )
    monkeypatch.setenv("KUBECONFIG", str(config))
    reset_clients()
    try:
        with pytest.raises(InfrastructureError, match="cannot reach the Kubernetes API server"):
            KubeApi().list_objects("pod", NS)
    finally:
        reset_clients()


def test_a_missing_kubeconfig_is_an_infrastructure_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    reset_clients()
    try:
        with pytest.raises(InfrastructureError, match="no Kubernetes cluster configuration"):
            KubeApi().list_objects("pod", NS)
    finally:
        reset_clients()


EXPERIMENT = """
version: 1
title: t
blast_radius:
  namespaces: [ml]
  targets:
    model: {k8s: {kind: pod, namespace: %s, labels: {app: model}}}
method:
  - {fault: k8s.pod.delete, target: model}
"""


def test_a_selector_outside_the_namespace_allow_list_is_refused() -> None:
    """Refused when the file loads (so `validate` refuses it too), with its location."""
    with pytest.raises(ValidationError) as refused:
        load_text(EXPERIMENT % "kube-system", "exp.yaml")
    assert "namespace 'kube-system' is not in blast_radius.namespaces" in str(refused.value)
    assert "exp.yaml:" in str(refused.value)
    check_static(load_text(EXPERIMENT % "ml", "exp.yaml").experiment, RunOptions())
