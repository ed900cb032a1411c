"""The Kubernetes drill (experiments/k8s) against the test cluster (simulated nodes: pods run no
containers; a new pod turns Ready 4 s after it starts, as a model server loading its model) and
a real Prometheus scraping a kube-state-metrics-like exporter, with the alert rules of
examples/k8s/ml-stack.yaml. Then the same drill as a ServiceAccount holding exactly what
``chaosml k8s rbac`` grants, and with one verb removed."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from chaosml.io.ports import free_port
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob, missing_binaries
from tests.fixtures.k8s_env import KubeCluster, write_kubeconfig
from tests.fixtures.k8s_exporter import StateExporter
from tests.fixtures.k8s_node_agent import READY_AFTER
from tests.fixtures.services import require
from tests.integration.docker.cli import chaosml, events, run_end
from tests.integration.k8s.helpers import ALLOW, EXAMPLE_NAMESPACES, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.prometheus]

ROOT = Path(__file__).parents[3]
DRILL = ROOT / "experiments" / "k8s" / "model-pods-deleted.yaml"
NAMESPACE = "ml-staging"
ACCOUNT = "chaosml-drill"


def _alert_rules() -> str:
    stack = yaml.safe_load_all((ROOT / "examples" / "k8s" / "ml-stack.yaml").read_text())
    [config] = [
        d for d in stack if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "prometheus"
    ]
    return str(config["data"]["alerts.yml"])


def _model_server() -> dict[str, Any]:
    app = {"app": "model-server"}
    return {
        "metadata": {"name": "model-server", "labels": {**app, **ALLOW}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": app},
            "template": {
                "metadata": {"labels": app, "annotations": {READY_AFTER: "4"}},
                "spec": {"containers": [{"name": "model", "image": "chaosml/none:0"}]},
            },
        },
    }


@dataclass
class Staging:
    cluster: KubeCluster
    monitoring: MonitoringStack
    apps: Any

    def ready(self) -> int:
        found = self.apps.read_namespaced_deployment("model-server", NAMESPACE)
        return int(found.status.ready_replicas or 0)

    def env(self, kubeconfig: Path | None = None) -> dict[str, str]:
        return {
            "KUBECONFIG": str(kubeconfig or self.cluster.kubeconfig),
            "PROMETHEUS_URL": self.monitoring.prometheus_url,
        }

    def settle(self) -> None:
        wait_until(self.ready, lambda n: n == 3, timeout=60, what="3 ready model-server replicas")


@pytest.fixture(scope="module")
def staging(k8s_cluster: KubeCluster) -> Iterator[Staging]:
    """ml-staging for this module alone (test_examples.py creates it too: the shared lock)."""
    require(not missing_binaries(["prometheus"]), "Prometheus")
    with k8s_cluster.exclusive(EXAMPLE_NAMESPACES):
        yield from _staging(k8s_cluster)


def _staging(k8s_cluster: KubeCluster) -> Iterator[Staging]:
    api = k8s_cluster.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NAMESPACE, "labels": {"chaosml.test": "1"}}})
    port = free_port()
    exporter = StateExporter(api, port)
    monitoring = MonitoringStack(
        jobs=[ScrapeJob("kube-state-metrics", [f"127.0.0.1:{port}"])],
        rules=_alert_rules(),
        with_alertmanager=False,
        with_pushgateway=False,
        extra_env={"CHAOSML_TEST": "1"},
    )
    try:
        apps.create_namespaced_deployment(NAMESPACE, _model_server())
        exporter.start()
        monitoring.start()
        staging = Staging(k8s_cluster, monitoring, apps)
        staging.settle()
        yield staging
    finally:
        monitoring.stop()
        exporter.stop()
        core.delete_namespace(NAMESPACE)
        wait_until(
            lambda: [n.metadata.name for n in core.list_namespace().items],
            lambda names: NAMESPACE not in names,
            timeout=60,
            what=f"namespace {NAMESPACE} deleted",
        )


def test_drill_deletes_model_pods_and_the_replicas_alert_fires_in_prometheus(
    staging: Staging, tmp_path: Path
) -> None:
    journal = tmp_path / "drill.jsonl"
    done = chaosml("run", DRILL, "--env", "staging", "--journal", journal, env=staging.env())

    assert done.returncode == 0, done.stdout + done.stderr
    [fired] = events(journal, "alert.fired")
    assert fired["name"] == "ModelServerReplicasDown"
    assert 0 <= fired["time_to_detect_s"] < 10
    [resolved] = events(journal, "alert.resolved")
    assert resolved["name"] == "ModelServerReplicasDown"
    assert staging.ready() == 3
    [target] = events(journal, "target.resolved")
    assert len(target["target"]["members"]) == 2


def _service_account_kubeconfig(staging: Staging, tmp_path: Path) -> Path:
    core = client.CoreV1Api(staging.cluster.api_client())
    core.create_namespaced_service_account(NAMESPACE, {"metadata": {"name": ACCOUNT}})
    account = wait_until(
        lambda: core.read_namespaced_service_account(ACCOUNT, NAMESPACE),
        lambda sa: bool(sa.secrets),
        what="the service account's token secret",
    )
    secret = core.read_namespaced_secret(account.secrets[0].name, NAMESPACE)
    token = base64.b64decode(secret.data["token"]).decode()
    path = tmp_path / "sa.kubeconfig"
    write_kubeconfig(path, staging.cluster.server, staging.cluster.ca, token, ACCOUNT)
    return path


def _rbac_documents() -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "k8s", "rbac", str(DRILL), "--service-account", ACCOUNT, "--namespace", NAMESPACE],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return list(yaml.safe_load_all(done.stdout))


def _apply(staging: Staging, docs: list[dict[str, Any]]) -> None:
    rbac = client.RbacAuthorizationV1Api(staging.cluster.api_client())
    for doc in docs:
        if doc["kind"] == "Role":
            rbac.create_namespaced_role(NAMESPACE, doc)
        else:
            rbac.create_namespaced_role_binding(NAMESPACE, doc)


def test_drill_passes_with_exactly_the_rbac_it_prints_and_names_a_missing_verb(
    staging: Staging, tmp_path: Path
) -> None:
    kubeconfig = _service_account_kubeconfig(staging, tmp_path)
    docs = _rbac_documents()
    _apply(staging, docs)
    staging.settle()

    granted = chaosml(
        "run",
        DRILL,
        "--env",
        "staging",
        "--journal",
        tmp_path / "ok.jsonl",
        env=staging.env(kubeconfig),
    )
    assert granted.returncode == 0, granted.stdout + granted.stderr

    staging.settle()
    role = docs[0]
    for rule in role["rules"]:
        if rule["resources"] == ["pods"]:
            rule["verbs"].remove("delete")
    rbac = client.RbacAuthorizationV1Api(staging.cluster.api_client())
    rbac.replace_namespaced_role(role["metadata"]["name"], NAMESPACE, role)
    journal = tmp_path / "denied.jsonl"

    denied = chaosml(
        "run", DRILL, "--env", "staging", "--journal", journal, env=staging.env(kubeconfig)
    )

    assert denied.returncode == 5, denied.stdout + denied.stderr
    assert f"chaosml may not delete pods in namespace {NAMESPACE}" in denied.stdout + denied.stderr
    assert run_end(journal)["status"] == "failed"
    assert staging.ready() == 3
