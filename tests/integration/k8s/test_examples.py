"""examples/k8s: every manifest is accepted by the API server (server-side dry run: validated and
admitted, nothing stored), and rbac.yaml is what ``chaosml k8s rbac`` prints for the drills."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from chaosml.drivers.k8s_client import KubeApi, ref_of
from tests.fixtures.k8s_env import KubeCluster
from tests.integration.k8s.helpers import EXAMPLE_NAMESPACES, wait_until

ROOT = Path(__file__).parents[3]
EXAMPLES = ROOT / "examples" / "k8s"
MANIFESTS = sorted(p.name for p in EXAMPLES.glob("*.yaml") if p.name != "namespace.yaml")


@pytest.fixture(scope="module")
def namespaces(k8s_cluster: KubeCluster) -> Iterator[list[str]]:
    """The examples' namespaces, created for real (a dry run needs its namespace to exist). The
    drill (test_drill.py) creates and deletes ml-staging too: one module at a time holds them."""
    with k8s_cluster.exclusive(EXAMPLE_NAMESPACES):
        yield from _created_namespaces(client.CoreV1Api(k8s_cluster.api_client()))


def _created_namespaces(core: Any) -> Iterator[list[str]]:
    names = [
        d["metadata"]["name"] for d in yaml.safe_load_all((EXAMPLES / "namespace.yaml").read_text())
    ]
    existing = {n.metadata.name for n in core.list_namespace().items}
    created = [n for n in names if n not in existing]
    for name in created:
        core.create_namespace({"metadata": {"name": name}})
    yield names
    for name in created:
        core.delete_namespace(name)
    wait_until(  # other modules (the drill) create ml-staging again
        lambda: {n.metadata.name for n in core.list_namespace().items},
        lambda left: not left & set(created),
        timeout=60,
        what="the example namespaces deleted",
    )


@pytest.mark.parametrize("manifest", MANIFESTS)
def test_example_manifest_is_accepted_by_a_server_side_dry_run(
    manifest: str, namespaces: list[str], k8s_env: KubeCluster
) -> None:
    docs = [d for d in yaml.safe_load_all((EXAMPLES / manifest).read_text()) if d]
    assert docs
    for doc in docs:
        ref = ref_of(doc)
        assert ref.namespace in namespaces, f"{manifest}: {ref} outside the example namespaces"
        KubeApi().dry_run_create(doc, ref.namespace)


def test_example_rbac_is_what_chaosml_k8s_rbac_prints_for_the_drills() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "k8s", "rbac", "experiments/k8s/gameday.yaml", "--namespace", "chaosml"],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=60,
    )  # fmt: skip
    kept = [d for d in yaml.safe_load_all((EXAMPLES / "rbac.yaml").read_text()) if d]
    assert kept == list(yaml.safe_load_all(done.stdout))


def test_example_alert_rules_pass_promtool(tmp_path: Path) -> None:
    import shutil

    from tests.fixtures.services import require

    promtool = shutil.which("promtool")
    require(promtool is not None, "promtool (Debian's prometheus package)")
    assert promtool is not None
    stack = yaml.safe_load_all((EXAMPLES / "ml-stack.yaml").read_text())
    [config] = [
        d for d in stack if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "prometheus"
    ]
    rules = tmp_path / "alerts.yml"
    rules.write_text(config["data"]["alerts.yml"])
    done = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
