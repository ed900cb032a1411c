"""The k8s tests' fixtures: Chaos Mesh's NetworkChaos CRD, and for the lost-API tests (lost_api.py)
the API server behind the chaosml proxy, a namespace with the model-config ConfigMap, and the
faults to undo whatever happened to the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.k8s_env import ADMIN_TOKEN_USER, KubeCluster, write_kubeconfig
from tests.fixtures.proxy_env import start_proxy_process, stop_process
from tests.integration.k8s.helpers import Objects, wait_until
from tests.integration.k8s.lost_api import ORIGINAL, PROXY, Fault, ProxiedApi

NETWORK_CHAOS_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "networkchaos.chaos-mesh.org"},
    "spec": {
        "group": "chaos-mesh.org",
        "scope": "Namespaced",
        "names": {"kind": "NetworkChaos", "plural": "networkchaos", "singular": "networkchaos"},
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


@pytest.fixture
def network_chaos_crd(k8s_env: KubeCluster) -> Any:
    """Chaos Mesh's NetworkChaos kind (its CRD only: no Chaos Mesh controller runs here). The
    CRD is cluster-wide and the cluster is shared by the workers: created by the first test that
    needs it, then left in place (never deleted under another worker's test); each test's
    objects go with its namespace."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    api = k8s_env.api_client()
    extensions = client.ApiextensionsV1Api(api)
    try:
        extensions.create_custom_resource_definition(NETWORK_CHAOS_CRD)
    except ApiException as exc:
        if exc.status != 409:  # another worker's test created it
            raise
    wait_until(
        lambda: (
            extensions.read_custom_resource_definition(
                "networkchaos.chaos-mesh.org"
            ).status.conditions
            or []
        ),
        lambda conds: any(c.type == "Established" and c.status == "True" for c in conds),
        what="the NetworkChaos CRD established",
    )
    return client.CustomObjectsApi(api)


@pytest.fixture
def proxied(k8s_env: KubeCluster, tmp_path: Path) -> Iterator[ProxiedApi]:
    proxy = start_proxy_process()
    try:
        upstream = int(k8s_env.server.rsplit(":", 1)[1])
        port = proxy.create(PROXY, upstream)
        kubeconfig = tmp_path / "proxied.kubeconfig"
        server = f"https://127.0.0.1:{port}"
        write_kubeconfig(kubeconfig, server, k8s_env.ca, k8s_env.token, ADMIN_TOKEN_USER)
        yield ProxiedApi(proxy, kubeconfig, f"127.0.0.1:{port}")
    finally:
        stop_process(proxy.process)


@pytest.fixture
def objs(k8s_env: KubeCluster, k8s_namespace: str) -> Objects:
    """The test's own namespace, seen through the admin kubeconfig (a module may override it)."""
    return Objects(k8s_env, k8s_namespace)


@pytest.fixture
def objs_with_config(k8s_env: KubeCluster, k8s_namespace: str) -> Objects:
    """The test's own view of the cluster: straight to the API server (admin kubeconfig)."""
    found = Objects(k8s_env, k8s_namespace)
    found.configmap("model-config", dict(ORIGINAL))
    return found


@pytest.fixture
def cleanup(objs_with_config: Objects) -> Iterator[list[Fault]]:
    """Faults this test applies; undone directly, whatever happened to the run."""
    applied: list[Fault] = []
    yield applied
    for fault in applied:
        fault.clean(objs_with_config)
