"""``chaosml k8s rbac``: exactly the verbs and resources an experiment's k8s steps need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

EXPERIMENT = """
version: 1
title: delete a model pod, scale the feature service, watch replicas
blast_radius:
  namespaces: [ml]
  targets:
    model: {k8s: {kind: pod, namespace: ml, labels: {app: model}}, count: 1}
    features: {k8s: {kind: deployment, namespace: ml, labels: {app: features}}}
steady_state:
  - name: model ready
    k8s: {namespace: ml, name: model, field: ready_replicas}
    expect: {equals: 3}
method:
  - {fault: k8s.pod.delete, target: model}
  - {fault: k8s.scale, target: features, replicas: 0}
"""


def _rbac(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exp = tmp_path / "exp.yaml"
    exp.write_text(EXPERIMENT)
    return subprocess.run(
        [sys.executable, "-m", "chaosml", "k8s", "rbac", str(exp), *args],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_rbac_prints_a_role_with_exactly_the_needed_verbs_and_a_binding(tmp_path: Path) -> None:
    done = _rbac(tmp_path, "--service-account", "drills")
    assert done.returncode == 0, done.stderr
    role, binding = list(yaml.safe_load_all(done.stdout))
    rules = {(r["apiGroups"][0], r["resources"][0]): r["verbs"] for r in role["rules"]}
    assert rules == {
        ("", "pods"): ["delete", "get", "list"],
        ("apps", "deployments"): ["get", "list", "patch"],
        ("apps", "replicasets"): ["list"],
        ("apps", "statefulsets"): ["list"],
    }
    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "ml"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "drills", "namespace": "ml"}]


def test_rbac_of_an_experiment_without_k8s_is_bad_input(tmp_path: Path) -> None:
    exp = tmp_path / "plain.yaml"
    exp.write_text("version: 1\ntitle: t\nmethod: [{wait: 1s}]\n")
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "k8s", "rbac", str(exp)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no Kubernetes target, fault or probe" in done.stderr
