"""The test cluster itself: a real API server, controllers and scheduler, simulated nodes whose
pods run no containers. A Deployment gets Ready replicas; a deleted pod is replaced."""

from __future__ import annotations

import pytest

from tests.fixtures.k8s_env import KubeCluster
from tests.integration.k8s.helpers import Objects, wait_until

pytestmark = [pytest.mark.slow]


def test_simulated_nodes_make_a_deployment_ready_with_pods_that_run_no_containers(
    k8s_env: KubeCluster, k8s_namespace: str
) -> None:
    objs = Objects(k8s_env, k8s_namespace)
    objs.deployment("model", 3)
    pods = objs.pods("model")
    assert len(pods) == 3
    assert all(p.status.phase == "Running" and p.spec.node_name for p in pods)

    objs.core.delete_namespaced_pod(pods[0].metadata.name, k8s_namespace, grace_period_seconds=0)
    wait_until(
        lambda: {p.metadata.name for p in objs.pods("model")},
        lambda names: len(names) == 3 and pods[0].metadata.name not in names,
        what="the deleted pod replaced",
    )
    objs.wait_ready("model", 3)
