"""``chaosml reap --k8s`` against a real API server: it deletes exactly the objects that carry
the ``chaosml.run_id`` label and a past ``chaosml.io/expires-at`` (custom resources included),
leaves the rest, deletes nothing with ``--dry-run``, and a second reap is a no-op. The object of
a run whose runner and watchdog were SIGKILLed is found by its expiry alone."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from chaosml.io import procfs
from chaosml.watchdog import runs
from chaosml.watchdog.reap_k8s import parse_expiry
from tests.fixtures.k8s_env import KubeCluster, write_kubeconfig
from tests.integration.docker.cli import chaosml, events, start_chaosml, wait_for_event
from tests.integration.k8s.helpers import LATENCY, experiment, wait_until

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).parents[3]
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


def _meta(name: str, run_id: str | None, expires: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if run_id is not None:
        meta["labels"] = {"chaosml.run_id": run_id}
    if expires is not None:
        meta["annotations"] = {"chaosml.io/expires-at": expires}
    return meta


class Cluster:
    def __init__(self, cluster: KubeCluster, namespace: str, chaos: Any) -> None:
        api = cluster.api_client()
        self.namespace = namespace
        self.core = client.CoreV1Api(api)
        self.net = client.NetworkingV1Api(api)
        self.chaos = chaos

    def configmap(self, name: str, run_id: str | None, expires: str | None) -> None:
        body = {"metadata": _meta(name, run_id, expires), "data": {"k": "v"}}
        self.core.create_namespaced_config_map(self.namespace, body)

    def policy(self, name: str, run_id: str, expires: str) -> None:
        body = {"metadata": _meta(name, run_id, expires), "spec": {"podSelector": {}}}
        self.net.create_namespaced_network_policy(self.namespace, body)

    def network_chaos(self, name: str, run_id: str, expires: str) -> None:
        body = {**LATENCY, "metadata": _meta(name, run_id, expires)}
        self.chaos.create_namespaced_custom_object(
            "chaos-mesh.org", "v1alpha1", self.namespace, "networkchaos", body
        )

    def names(self) -> set[str]:
        ns = self.namespace
        found = [str(c.metadata.name) for c in self.core.list_namespaced_config_map(ns).items]
        found += [str(p.metadata.name) for p in self.net.list_namespaced_network_policy(ns).items]
        listed = self.chaos.list_namespaced_custom_object(
            "chaos-mesh.org", "v1alpha1", ns, "networkchaos"
        )
        found += [str(c["metadata"]["name"]) for c in listed["items"]]
        return set(found) - {"kube-root-ca.crt"}


@pytest.fixture
def cluster(k8s_env: KubeCluster, k8s_namespace: str, network_chaos_crd: Any) -> Cluster:
    return Cluster(k8s_env, k8s_namespace, network_chaos_crd)


def _reap(runs_dir: Path, *args: str) -> Any:
    return chaosml("reap", "--k8s", "--runs-dir", runs_dir, *args)


def test_reap_deletes_exactly_the_expired_labelled_objects_custom_resources_too(
    cluster: Cluster, tmp_path: Path
) -> None:
    ns = cluster.namespace
    cluster.configmap("expired", "deadrun1", PAST)
    cluster.configmap("not-yet", "deadrun1", FUTURE)
    cluster.configmap("not-ours", None, PAST)
    cluster.configmap("no-expiry", "deadrun1", None)
    cluster.configmap("alive", "liverun", PAST)
    cluster.policy("expired-policy", "deadrun2", PAST)
    cluster.network_chaos("expired-chaos", "deadrun2", PAST)
    me = os.getpid()  # a run of this host whose runner is alive: its objects are left alone
    entry = runs.RunEntry(
        "liverun", str(tmp_path / "j"), me, procfs.start_time(me), os.uname().nodename
    )
    runs.record(entry, tmp_path)
    everything = cluster.names()

    dry = _reap(tmp_path, "--namespace", ns, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"would delete configmap/{ns}/expired (run deadrun1, expired since {PAST}" in dry.stdout
    assert f"would delete networkchaos/{ns}/expired-chaos (run deadrun2" in dry.stdout
    assert f"would delete networkpolicy/{ns}/expired-policy (run deadrun2" in dry.stdout
    assert dry.stdout.count("would delete") == 3, dry.stdout
    assert cluster.names() == everything

    done = _reap(tmp_path, "--namespace", ns)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("deleted ") == 3, done.stdout
    assert (
        f"deleted networkchaos/{ns}/expired-chaos (run deadrun2, expired since {PAST}"
        in done.stdout
    )
    assert f"left alone: configmap/{ns}/alive (run liverun" in done.stdout
    assert f"its runner (pid {me}) is alive" in done.stdout
    assert "no-expiry" in done.stdout and "no readable chaosml.io/expires-at" in done.stdout
    remaining = {"not-yet", "not-ours", "no-expiry", "alive"}
    wait_until(cluster.names, lambda left: left == remaining, what="exactly the expired deleted")

    again = _reap(tmp_path, "--namespace", ns)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "deleted" not in again.stdout
    assert cluster.names() == remaining


def test_all_namespaces_finds_them_and_bad_flags_exit_2(cluster: Cluster, tmp_path: Path) -> None:
    cluster.configmap("expired", "deadrun3", PAST)

    dry = _reap(tmp_path, "--all-namespaces", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"would delete configmap/{cluster.namespace}/expired (run deadrun3" in dry.stdout

    for bad in (["--namespace", "x", "--all-namespaces"], []):
        refused = _reap(tmp_path, *bad)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "--all-namespaces" in refused.stderr and "Traceback" not in refused.stderr
    assert "expired" in cluster.names()


def test_unreachable_api_server_exits_5(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n"
        "current-context: c\n"
    )
    done = chaosml(
        "reap", "--k8s", "--all-namespaces", "--runs-dir", tmp_path, env={"KUBECONFIG": str(config)}
    )
    assert done.returncode == 5, done.stdout + done.stderr
    assert "127.0.0.1:1" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def killed(tmp_path: Path) -> Iterator[list[int]]:
    """Pids this test SIGKILLs; killed also when the test fails."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_object_of_a_run_killed_with_its_watchdog_is_reaped_after_its_expiry(
    cluster: Cluster, tmp_path: Path, killed: list[int]
) -> None:
    ns = cluster.namespace
    # 10 s: the early reap below must come before the expiry also on a loaded machine (with 3 s
    # a CI run once got there 2 s after it)
    step = {"fault": "k8s.apply", "namespace": ns, "manifest": LATENCY, "expires_after": "10s"}
    exp = experiment(tmp_path, ns, {}, [step, {"wait": "60s"}])
    journal = tmp_path / "journal.jsonl"
    proc = start_chaosml(
        "run", exp, "--journal", journal, env={"CHAOSML_RUNS_DIR": str(tmp_path / "runs")}
    )
    killed.append(proc.pid)
    wait_for_event(journal, "fault.applied", proc)
    watchdog = wait_for_event(journal, "watchdog.started", proc)["pid"]
    killed.append(watchdog)
    os.kill(watchdog, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    run_id = events(journal, "run.start")[0]["run_id"]
    created = cluster.chaos.get_namespaced_custom_object(
        "chaos-mesh.org", "v1alpha1", ns, "networkchaos", "model-latency"
    )
    expires = parse_expiry(created["metadata"]["annotations"]["chaosml.io/expires-at"])
    assert expires is not None
    elsewhere = tmp_path / "cronjob-runs"  # a CronJob in the cluster: it knows no run of this host

    early = _reap(elsewhere, "--namespace", ns)
    assert time.time() < expires, "the early reap came after the expiry: the machine is too slow"
    assert early.returncode == 0 and "model-latency" not in early.stdout  # not expired yet
    wait_until(time.time, lambda now: now > expires + 1, timeout=20, what="past the expiry")
    done = _reap(elsewhere, "--namespace", ns)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"deleted networkchaos/{ns}/model-latency (run {run_id}, expired since" in done.stdout
    assert "model-latency" not in cluster.names()


def _as_reaper(k8s: KubeCluster, namespace: str, tmp_path: Path) -> Path:
    """examples/k8s/reaper.yaml's ServiceAccount, Role and RoleBinding, in the test's namespace;
    a kubeconfig with the account's token."""
    api = k8s.api_client()
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    docs = yaml.safe_load_all((ROOT / "examples" / "k8s" / "reaper.yaml").read_text())
    for doc in docs:
        doc["metadata"]["namespace"] = namespace
        for subject in doc.get("subjects") or []:
            subject["namespace"] = namespace
        if doc["kind"] == "ServiceAccount":
            core.create_namespaced_service_account(namespace, doc)
        elif doc["kind"] == "Role":
            rbac.create_namespaced_role(namespace, doc)
        elif doc["kind"] == "RoleBinding":
            rbac.create_namespaced_role_binding(namespace, doc)
    account = wait_until(
        lambda: core.read_namespaced_service_account("chaosml-reaper", namespace),
        lambda sa: bool(sa.secrets),
        what="the reaper's token secret",
    )
    secret = core.read_namespaced_secret(account.secrets[0].name, namespace)
    path = tmp_path / "reaper.kubeconfig"
    token = base64.b64decode(secret.data["token"]).decode()
    write_kubeconfig(path, k8s.server, k8s.ca, token, "chaosml-reaper")
    return path


def test_the_example_reaper_role_is_enough_to_reap_and_says_what_it_may_not_search(
    k8s_env: KubeCluster, cluster: Cluster, tmp_path: Path
) -> None:
    ns = cluster.namespace
    cluster.configmap("expired", "deadrun4", PAST)
    cluster.network_chaos("expired-chaos", "deadrun4", PAST)
    kubeconfig = _as_reaper(k8s_env, ns, tmp_path)

    done = chaosml(
        "reap",
        "--k8s",
        "--namespace",
        ns,
        "--runs-dir",
        tmp_path,
        env={"KUBECONFIG": str(kubeconfig)},
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"deleted configmap/{ns}/expired (run deadrun4" in done.stdout
    assert f"deleted networkchaos/{ns}/expired-chaos (run deadrun4" in done.stdout
    assert f"left alone: secrets (v1) in {ns} not searched: forbidden" in done.stdout
    assert cluster.names() == set()
