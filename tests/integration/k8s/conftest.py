"""The k8s tests' fixtures: the test cluster, and Chaos Mesh's NetworkChaos CRD."""

from __future__ import annotations

from collections.abc import Iterator
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
def network_chaos_crd(k8s_env: KubeCluster) -> Iterator[Any]:
    """Chaos Mesh's NetworkChaos kind (its CRD only: no Chaos Mesh controller runs here)."""
    from kubernetes import client

    api = k8s_env.api_client()
    extensions = client.ApiextensionsV1Api(api)
    extensions.create_custom_resource_definition(NETWORK_CHAOS_CRD)
    custom = client.CustomObjectsApi(api)
    try:
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
        yield custom
    finally:
        extensions.delete_custom_resource_definition("networkchaos.chaos-mesh.org")
        wait_until(  # its objects are deleted first: the next test may create it again
            lambda: [c.metadata.name for c in extensions.list_custom_resource_definition().items],
            lambda names: "networkchaos.chaos-mesh.org" not in names,
            timeout=60,
            what="the NetworkChaos CRD deleted",
        )
