"""``chaosml reap --k8s`` deciding what to delete, with the in-memory Kubernetes API; and the
expiry ``k8s.apply`` writes (the run's bound: duration + undo timeouts + a margin)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chaosml.contract.context import DriverContext
from chaosml.drivers.k8s_client import Ref, Resource, ref_for
from chaosml.drivers.k8s_fake import FakeKubeApi
from chaosml.drivers.k8s_objects import ApplyParams, K8sApply
from chaosml.engine.fault_bound import MARGIN_S, faults_end_by
from chaosml.engine.state import RunOptions
from chaosml.errors import DriverError
from chaosml.io import procfs
from chaosml.loader import load_text
from chaosml.watchdog import runs
from chaosml.watchdog.reap import ReapOptions, reap

NS = "ml-staging"
PAST, FUTURE = "2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z"
CHAOS = ("chaos-mesh.org/v1alpha1", "NetworkChaos")


def _meta(name: str, run_id: str | None, expires: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": NS}
    if run_id:
        meta["labels"] = {"chaosml.run_id": run_id}
    if expires:
        meta["annotations"] = {"chaosml.io/expires-at": expires}
    return meta


def _chaos(api: FakeKubeApi, name: str, run_id: str, expires: str) -> None:
    api.create(
        {"apiVersion": CHAOS[0], "kind": CHAOS[1], "metadata": _meta(name, run_id, expires)}, NS
    )


def _options(tmp: Path, api: FakeKubeApi, **extra: Any) -> ReapOptions:
    return ReapOptions(runs_dir=tmp, k8s=True, namespaces=[NS], kube_api=api, **extra)


@pytest.fixture
def api() -> FakeKubeApi:
    made = FakeKubeApi()
    made.add("configmap", NS, "expired", metadata=_meta("expired", "dead", PAST))
    made.add("configmap", NS, "fresh", metadata=_meta("fresh", "dead", FUTURE))
    made.add("configmap", NS, "theirs", metadata=_meta("theirs", None, PAST))
    made.add("configmap", NS, "garbled", metadata=_meta("garbled", "dead", "next tuesday"))
    _chaos(made, "latency", "dead", PAST)
    return made


def _names(api: FakeKubeApi) -> set[str]:
    return {name for (_, _, name) in api.objects}


def test_reap_deletes_only_labelled_objects_whose_expiry_is_past(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    report = reap(_options(tmp_path, api))
    assert _names(api) == {"fresh", "theirs", "garbled"}
    assert sorted(line.rsplit(", ", 1)[0] for line in report.done) == [
        f"deleted configmap/{NS}/expired (run dead, expired since {PAST}",
        f"deleted networkchaos/{NS}/latency (run dead, expired since {PAST}",
    ]
    assert all(line.endswith("s ago)") for line in report.done)
    assert any("garbled" in line and "no readable" in line for line in report.left)
    assert not report.failed and not report.unreachable
    assert reap(_options(tmp_path, api)).done == []  # a second reap: nothing


def test_dry_run_deletes_nothing(api: FakeKubeApi, tmp_path: Path) -> None:
    before = _names(api)
    report = reap(_options(tmp_path, api, dry_run=True))
    assert len(report.would) == 2 and report.done == []
    assert _names(api) == before


def test_an_expired_object_of_a_run_alive_on_this_host_is_left_alone(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    me = os.getpid()
    runs.record(
        runs.RunEntry("dead", "/j", me, procfs.start_time(me), os.uname().nodename), tmp_path
    )
    report = reap(_options(tmp_path, api))
    assert "expired" in _names(api) and "latency" in _names(api)
    assert any(f"its runner (pid {me}) is alive" in line for line in report.left)


def test_without_k8s_the_cluster_is_not_touched(api: FakeKubeApi, tmp_path: Path) -> None:
    reap(ReapOptions(runs_dir=tmp_path, kube_api=api))
    assert "expired" in _names(api)


def test_a_forbidden_delete_is_a_failure_and_the_rest_is_still_reaped(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    api.forbid("delete", "configmaps")
    report = reap(_options(tmp_path, api))
    assert "expired" in _names(api) and "latency" not in _names(api)
    assert len(report.failed) == 1 and "forbidden" in report.failed[0]


def test_a_replaced_object_is_not_deleted(api: FakeKubeApi, tmp_path: Path) -> None:
    class Replacing(FakeKubeApi):
        def delete(
            self, ref: Ref, uid: str = "", grace_s: int | None = None, dry_run: bool = False
        ) -> bool:
            api.objects[(ref.kind, ref.namespace, ref.name)]["metadata"]["uid"] = "someone-else"
            return api.delete(ref, uid, grace_s, dry_run)

    replacing = Replacing()
    replacing.objects = api.objects
    report = reap(_options(tmp_path, replacing))
    assert "expired" in _names(api)
    assert any("precondition" in line for line in report.failed)


EXPERIMENT = """
version: 1
title: bound
blast_radius: {max_duration: 10m}
method:
  - fault: process.run
    command: ["true"]
  - fault: process.run
    command: ["true"]
"""


def test_the_bound_is_max_duration_plus_undo_timeouts_plus_a_margin() -> None:
    exp = load_text(EXPERIMENT).experiment
    options = RunOptions(undo_timeout=30.0, undo_attempts=3)
    assert faults_end_by(exp, options, now=1000.0) == 1000.0 + 600 + 2 * 90 + MARGIN_S
    options.deadline_s = 120.0  # a game day's deadline closer than max_duration
    assert faults_end_by(exp, options, now=0.0) == 120 + 180 + MARGIN_S
    options.keep_faults = True
    assert faults_end_by(exp, options) is None


def test_apply_writes_the_run_bound_as_its_expiry_unless_the_step_gives_one() -> None:
    api = FakeKubeApi()
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "chaos"}}
    bound = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    ctx = DriverContext(run_id="run1", faults_end_by=bound)
    K8sApply(api).apply(ApplyParams(namespace=NS, manifest=manifest), ctx)
    created = api.get(ref_for("configmap", NS, "chaos"))
    assert created is not None
    assert created["metadata"]["annotations"]["chaosml.io/expires-at"] == "2030-01-02T03:04:05Z"


def test_a_kind_the_reaper_may_not_list_is_said_and_the_rest_is_reaped(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    api.forbid("list", "configmaps")
    report = reap(_options(tmp_path, api))
    assert "expired" in _names(api) and "latency" not in _names(api)
    assert any(
        line.startswith(f"configmaps (v1) in {NS} not searched: forbidden") for line in report.left
    )
    assert not report.failed


def test_a_group_whose_discovery_fails_is_said_and_the_rest_is_reaped(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    class MetricsDown(FakeKubeApi):
        def group_resources(self, group_version: str) -> list[Resource]:
            if group_version == CHAOS[0]:
                raise DriverError("the server is currently unable to handle the request")
            return super().group_resources(group_version)

    down = MetricsDown()
    down.objects = api.objects
    report = reap(_options(tmp_path, down))
    assert "expired" not in _names(api) and "latency" in _names(api)
    assert any(line.startswith(f"API group {CHAOS[0]} not searched") for line in report.left)
    assert not report.failed
