"""The k8s tests' fixtures: the test cluster, and Chaos Mesh's NetworkChaos CRD."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.k8s_env import KubeCluster
from tests.integration.k8s.helpers import wait_until

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
