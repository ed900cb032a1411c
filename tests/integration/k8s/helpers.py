"""Objects the k8s tests create (in their own namespace) and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from kubernetes import client

from chaosml.drivers.k8s_client import KubeApi
from tests.fixtures.k8s_env import KubeCluster

ALLOW = {"chaosml.io/allow": "true"}
# The lock (KubeCluster.exclusive) of the fixed-name namespaces of examples/k8s/namespace.yaml
# (chaosml, ml-staging), which test_examples.py and test_drill.py create and delete
EXAMPLE_NAMESPACES = "example-namespaces"
# A Chaos Mesh NetworkChaos (its CRD: the ``network_chaos_crd`` fixture)
LATENCY = {
    "apiVersion": "chaos-mesh.org/v1alpha1",
    "kind": "NetworkChaos",
    "metadata": {"name": "model-latency"},
    "spec": {
        "action": "delay",
        "mode": "all",
        "selector": {"labelSelectors": {"app": "model"}},
        "delay": {"latency": "300ms", "jitter": "50ms"},
    },
}
T = TypeVar("T")


def wait_until(
    read: Callable[[], T], ok: Callable[[T], bool], timeout: float = 30.0, what: str = ""
) -> T:
    deadline = time.monotonic() + timeout
    value = read()
    while not ok(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what or 'reached'} within {timeout:g}s: last {value!r}")
        time.sleep(0.05)
        value = read()
    return value


class Objects:
    """Create and read test objects in one namespace."""

    def __init__(self, cluster: KubeCluster, namespace: str) -> None:
        api = cluster.api_client()
        self.namespace = namespace
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self.net = client.NetworkingV1Api(api)

    def deployment(
        self,
        name: str,
        replicas: int = 3,
        labels: dict[str, str] | None = None,
        opt_in: bool = True,
    ) -> dict[str, Any]:
        app = {"app": name}
        body = {
            "metadata": {
                "name": name,
                "labels": {**app, **(ALLOW if opt_in else {}), **(labels or {})},
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": app},
                "template": {
                    "metadata": {"labels": app},
                    "spec": {"containers": [{"name": "main", "image": "chaosml/none:0"}]},
                },
            },
        }
        self.apps.create_namespaced_deployment(self.namespace, body)
        self.wait_ready(name, replicas)
        return body

    def wait_ready(self, name: str, replicas: int, timeout: float = 30.0) -> None:
        wait_until(
            lambda: self.ready(name),
            lambda n: n == replicas,
            timeout,
            f"{replicas} ready of {name}",
        )

    def ready(self, name: str) -> int:
        found = self.apps.read_namespaced_deployment(name, self.namespace)
        return int(found.status.ready_replicas or 0)

    def replicas(self, name: str) -> int:
        return int(self.apps.read_namespaced_deployment(name, self.namespace).spec.replicas)

    def scale(self, name: str, replicas: int) -> None:
        self.apps.patch_namespaced_deployment(
            name, self.namespace, {"spec": {"replicas": replicas}}
        )

    def pods(self, app: str) -> list[Any]:
        found = self.core.list_namespaced_pod(self.namespace, label_selector=f"app={app}")
        return [p for p in found.items if p.metadata.deletion_timestamp is None]

    def service(self, name: str, app: str, opt_in: bool = True) -> None:
        body = {
            "metadata": {"name": name, "labels": {"app": name, **(ALLOW if opt_in else {})}},
            "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]},
        }
        self.core.create_namespaced_service(self.namespace, body)

    def selector(self, name: str) -> dict[str, str]:
        return dict(self.core.read_namespaced_service(name, self.namespace).spec.selector or {})

    def endpoints(self, name: str) -> int:
        try:
            found = self.core.read_namespaced_endpoints(name, self.namespace)
        except client.exceptions.ApiException:
            return 0
        return sum(len(s.addresses or []) for s in found.subsets or [])

    def configmap(self, name: str, data: dict[str, str], opt_in: bool = True) -> None:
        labels = {"app": name, **(ALLOW if opt_in else {})}
        body = {"metadata": {"name": name, "labels": labels}, "data": data}
        self.core.create_namespaced_config_map(self.namespace, body)

    def data(self, name: str) -> dict[str, str]:
        return dict(self.core.read_namespaced_config_map(name, self.namespace).data or {})

    def data_names(self) -> list[str]:
        found = self.core.list_namespaced_config_map(self.namespace)
        return [c.metadata.name for c in found.items]

    def policies(self) -> list[str]:
        found = self.net.list_namespaced_network_policy(self.namespace)
        return [p.metadata.name for p in found.items]

    def pod_disruption_budget(self, app: str, min_available: int) -> None:
        body = {
            "apiVersion": "policy/v1beta1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": f"{app}-pdb", "namespace": self.namespace},
            "spec": {"minAvailable": min_available, "selector": {"matchLabels": {"app": app}}},
        }
        KubeApi().create(body, self.namespace)  # policy/v1beta1: the typed client has none


def experiment(
    tmp_path: Path, namespace: str, targets: dict[str, Any], method: list[Any], **extra: Any
) -> Path:
    doc = {
        "version": 1,
        "title": "k8s test (simulated nodes: pods run no containers)",
        "blast_radius": {"namespaces": [namespace], "targets": targets},
        "method": method,
        **extra,
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def target(namespace: str, kind: str, app: str, **limits: Any) -> dict[str, Any]:
    return {"k8s": {"kind": kind, "namespace": namespace, "labels": {"app": app}}, **limits}


def probe(title: str, namespace: str, expect: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {"probe": {"name": title, "k8s": {"namespace": namespace, **params}, "expect": expect}}
