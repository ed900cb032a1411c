"""The blast radius on Kubernetes targets against a real API server (simulated nodes: pods run
no containers): every refusal exits 2 and touches nothing; --dry-run lists the selection; an undo
that would clobber a later change ends the run 6 and leaves the change alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.k8s_env import KubeCluster
from tests.integration.docker.cli import (
    chaosml,
    events,
    finish,
    planned_members,
    run_end,
    start_chaosml,
    wait_for_event,
)
from tests.integration.k8s.helpers import Objects, experiment, target

pytestmark = [pytest.mark.slow]


@pytest.fixture
def objs(k8s_env: KubeCluster, k8s_namespace: str) -> Objects:
    objs = Objects(k8s_env, k8s_namespace)
    objs.deployment("model", 3)
    objs.deployment("plain", 2, opt_in=False)
    return objs


def _uids(objs: Objects) -> set[str]:
    return {p.metadata.uid for app in ("model", "plain") for p in objs.pods(app)}


def _delete_run(tmp_path: Path, ns: str, victim: dict[str, Any], **extra: Any) -> Path:
    step = {"fault": "k8s.pod.delete", "target": "victim", "grace_period": 0}
    return experiment(tmp_path, ns, {"victim": victim}, [step], **extra)


REFUSALS = {
    "no opt-in label on the pods or their deployment": (
        lambda ns: target(ns, "pod", "plain"),
        "carrying the opt-in label chaosml.io/allow=true",
    ),
    "count above the matches": (lambda ns: target(ns, "pod", "model", count=4), "count 4"),
    "max_percent": (
        lambda ns: target(ns, "pod", "model", count=2, max_percent=50),
        "above max_percent 50",
    ),
    "min_matches": (lambda ns: target(ns, "pod", "model", min_matches=5), "min_matches is 5"),
    "namespace outside the allow-list": (
        lambda ns: target("kube-system", "pod", "model"),
        "namespace 'kube-system' is not in blast_radius.namespaces",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_k8s_target_exits_2_and_deletes_no_pod(
    case: str, objs: Objects, tmp_path: Path
) -> None:
    victim, message = REFUSALS[case]
    before = _uids(objs)
    exp = _delete_run(tmp_path, objs.namespace, victim(objs.namespace))

    done = chaosml("run", exp, "--journal", tmp_path / "j.jsonl")

    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr + done.stdout
    assert _uids(objs) == before


def test_waived_opt_in_label_selects_the_plain_pods_visibly(objs: Objects, tmp_path: Path) -> None:
    exp = _delete_run(
        tmp_path, objs.namespace, target(objs.namespace, "pod", "plain", require_label=None)
    )
    done = chaosml("run", exp, "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "opt-in label WAIVED" in done.stdout


def test_dry_run_lists_the_seeded_pick_of_pods_and_touches_nothing(
    objs: Objects, tmp_path: Path
) -> None:
    before = _uids(objs)
    exp = _delete_run(tmp_path, objs.namespace, target(objs.namespace, "pod", "model", count=2))

    first = chaosml("run", exp, "--dry-run", "--seed", "7")
    second = chaosml("run", exp, "--dry-run", "--seed", "7")

    assert first.returncode == 0, first.stdout + first.stderr
    picked = planned_members(first.stdout, "victim")
    assert picked == planned_members(second.stdout, "victim")
    names = {f"{objs.namespace}/{p.metadata.name}" for p in objs.pods("model")}
    assert len(picked) == 2 and set(picked) <= names
    assert _uids(objs) == before


def test_pods_opted_in_through_their_deployment_are_deleted_and_replaced(
    objs: Objects, tmp_path: Path
) -> None:
    exp = _delete_run(tmp_path, objs.namespace, target(objs.namespace, "pod", "model", count=1))
    journal = tmp_path / "j.jsonl"
    done = chaosml("run", exp, "--journal", journal, "--seed", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    [resolved] = events(journal, "target.resolved")
    assert resolved["target"]["matched"] == 3 and len(resolved["target"]["members"]) == 1
    objs.wait_ready("model", 3)


def test_undo_does_not_clobber_a_later_scale_and_the_run_ends_6(
    objs: Objects, tmp_path: Path
) -> None:
    step = {"fault": "k8s.scale", "target": "victim", "replicas": 0}
    exp = experiment(
        tmp_path,
        objs.namespace,
        {"victim": target(objs.namespace, "deployment", "model")},
        [step, {"wait": "60s"}],
    )
    journal = tmp_path / "j.jsonl"
    proc = start_chaosml("run", exp, "--journal", journal)
    wait_for_event(journal, "fault.applied", proc)
    objs.scale("model", 5)  # someone scales the deployment after the fault

    proc.send_signal(2)
    code, output = finish(proc)

    assert code == 6, output
    assert objs.replicas("model") == 5
    end = run_end(journal)
    assert end["status"] == "rollback-incomplete"
    [reverted] = events(journal, "fault.reverted")
    assert not reverted["ok"]
    assert f"deployment {objs.namespace}/model changed since the fault" in reverted["error"]
    assert "/spec/replicas is 5, the fault set 0" in reverted["error"]
