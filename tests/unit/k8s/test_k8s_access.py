"""How chaosml finds the cluster: KUBECONFIG and its contexts (--kube-context), or in-cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chaosml.drivers.k8s_client import config_source
from chaosml.io.ports import free_port

EXPERIMENT = """
version: 1
title: t
blast_radius:
  targets:
    model: {k8s: {kind: pod, namespace: ml, labels: {app: model}}}
method:
  - {fault: k8s.pod.delete, target: model}
"""


def _kubeconfig(path: Path, current: int, other: int) -> None:
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- {{name: current, cluster: {{server: "https://127.0.0.1:{current}", insecure-skip-tls-verify: true}}}}
- {{name: other, cluster: {{server: "https://127.0.0.1:{other}", insecure-skip-tls-verify: true}}}}
users: [{{name: u, user: {{token: t}}}}]
contexts:
- {{name: current, context: {{cluster: current, user: u}}}}
- {{name: other, context: {{cluster: other, user: u}}}}
current-context: current
"""
    )


def test_kube_context_picks_the_context_and_an_unreachable_server_exits_5(tmp_path: Path) -> None:
    config, exp = tmp_path / "kubeconfig", tmp_path / "exp.yaml"
    current, other = free_port(), free_port()
    _kubeconfig(config, current, other)
    exp.write_text(EXPERIMENT)

    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "--kube-context", "other", "run", str(exp), "--dry-run"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"KUBECONFIG": str(config), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )  # fmt: skip

    assert done.returncode == 5, done.stdout + done.stderr
    assert f"cannot reach the Kubernetes API server at https://127.0.0.1:{other}" in done.stderr
    assert "Traceback" not in done.stderr


def test_in_cluster_config_is_used_without_a_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    assert config_source() == "in-cluster"
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST")
    assert config_source() == str(tmp_path / "none")
