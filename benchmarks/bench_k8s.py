"""Kubernetes targets against the test cluster (tests/fixtures/k8s_env.py: a real API server,
controllers and scheduler, simulated nodes whose pods run no containers).

    python benchmarks/bench_k8s.py [--pods 500] [--delete 20] [--runs 5]

Two figures, each with its baseline measured in the same run:

- target selection over N pods (list, owner lookup for the opt-in label, seeded pick):
  chaosml's ``k8s`` target + blast-radius selection, against ``kubectl get pods -l`` listing the
  same pods (the floor: one process, one list call). The issue's bound is 1 s for 500 pods.
- deleting 20 pods: ``chaosml run`` of a ``k8s.pod.delete`` experiment (the whole CLI: load,
  blast radius, journal, write-ahead undo record, delete, rollback) and the driver alone, against
  ``kubectl delete pod P1..P20 --grace-period=0 --wait=false``.

Needs scripts/ci/k8s-install.sh (the control plane binaries), etcd, openssl and kubectl.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaosml.contract.context import DriverContext  # noqa: E402
from chaosml.contract.targets import ResolvedTarget  # noqa: E402
from chaosml.drivers import k8s_client  # noqa: E402
from chaosml.drivers.k8s_pods import K8sPodDelete, PodParams  # noqa: E402
from chaosml.drivers.k8s_target import K8sSelector, K8sTarget  # noqa: E402
from chaosml.model.experiment import TargetSpec  # noqa: E402
from chaosml.model.selection import select  # noqa: E402
from tests.fixtures.k8s_env import KubeCluster  # noqa: E402
from tests.integration.k8s.helpers import Objects, wait_until  # noqa: E402

NS = "bench"


def median_s(
    action: Callable[[], object], runs: int, before: Callable[[], object] = lambda: None
) -> float:
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def selection(pods: int, runs: int, kubeconfig: Path) -> None:
    selector = K8sSelector(kind="pod", namespace=NS, labels={"app": "big"})
    spec = TargetSpec(kind="k8s", selector=selector, count=20, max_percent=50)
    target = K8sTarget()
    ctx = DriverContext(run_id="bench")

    def chaosml_select() -> None:
        chosen = select("big", spec, target.candidates(selector, ctx), seed=1)
        assert len(chosen.members) == 20 and chosen.matched == pods

    def kubectl_list() -> None:
        subprocess.run(
            ["kubectl", f"--kubeconfig={kubeconfig}", "-n", NS, "get", "pods", "-l", "app=big", "-o", "name"],
            check=True, capture_output=True,
        )  # fmt: skip

    chaosml_select()  # warm the client (discovery) once, as a run does before it selects
    ours, theirs = median_s(chaosml_select, runs), median_s(kubectl_list, runs)
    print(f"select 20 of {pods} pods: chaosml {ours * 1000:.0f} ms (bound 1000 ms), "
          f"kubectl get -l {theirs * 1000:.0f} ms, ratio {ours / theirs:.2f}")  # fmt: skip


def deletion(objs: Objects, count: int, runs: int, kubeconfig: Path, tmp: Path) -> None:
    def settle() -> None:
        objs.wait_ready("victims", count, timeout=120)

    def names() -> list[str]:
        return sorted(p.metadata.name for p in objs.pods("victims"))

    def kubectl_delete() -> None:
        subprocess.run(
            ["kubectl", f"--kubeconfig={kubeconfig}", "-n", NS, "delete", "pod", *names(),
             "--grace-period=0", "--wait=false"],
            check=True, capture_output=True,
        )  # fmt: skip

    def driver_delete() -> None:
        members = K8sTarget().candidates(
            K8sSelector(kind="pod", namespace=NS, labels={"app": "victims"}), ctx
        )
        ctx.targets = {"t": ResolvedTarget("t", "k8s", tuple(members), len(members))}
        K8sPodDelete().apply(PodParams(target="t", grace_period=0), ctx)

    exp = tmp / "delete.yaml"
    exp.write_text(yaml.safe_dump(_experiment(count)))
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}

    def cli_delete() -> None:
        subprocess.run(
            [sys.executable, "-m", "chaosml", "run", str(exp), "--journal-dir", str(tmp)],
            check=True, capture_output=True, env=env, cwd=ROOT,
        )  # fmt: skip

    ctx = DriverContext(run_id="bench")
    theirs = median_s(kubectl_delete, runs, settle)
    driver = median_s(driver_delete, runs, settle)
    cli = median_s(cli_delete, runs, settle)
    print(f"delete {count} pods: kubectl delete {theirs * 1000:.0f} ms, chaosml driver "
          f"{driver * 1000:.0f} ms (ratio {driver / theirs:.2f}), chaosml run (whole CLI) "
          f"{cli * 1000:.0f} ms (ratio {cli / theirs:.2f})")  # fmt: skip


def _experiment(count: int) -> dict[str, object]:
    return {
        "version": 1,
        "title": "bench: delete pods",
        "blast_radius": {
            "namespaces": [NS],
            "targets": {
                "v": {
                    "k8s": {"kind": "pod", "namespace": NS, "labels": {"app": "victims"}},
                    "count": count,
                }
            },
        },
        "method": [{"fault": "k8s.pod.delete", "target": "v", "grace_period": 0}],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--delete", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="chaosml-bench-k8s-"))
    cluster = KubeCluster(root)
    try:
        started = time.perf_counter()
        cluster.start()
        print(
            f"cluster up in {time.perf_counter() - started:.1f} s (simulated nodes: no containers)"
        )
        os.environ["KUBECONFIG"] = str(cluster.kubeconfig)
        k8s_client.reset_clients()
        objs = Objects(cluster, NS)
        objs.core.create_namespace({"metadata": {"name": NS}})
        objs.apps.create_namespaced_deployment(NS, _deployment("big", args.pods))
        wait_until(
            lambda: len(objs.pods("big")), lambda n: n == args.pods, timeout=300, what="pods"
        )
        selection(args.pods, args.runs, cluster.kubeconfig)
        objs.deployment("victims", args.delete)
        deletion(objs, args.delete, args.runs, cluster.kubeconfig, root)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _deployment(app: str, replicas: int) -> dict[str, object]:
    labels = {"app": app}
    return {
        "metadata": {"name": app, "labels": {**labels, "chaosml.io/allow": "true"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "m", "image": "none:0"}]},
            },
        },
    }


if __name__ == "__main__":
    sys.exit(main())
