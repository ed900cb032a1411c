"""Every k8s fault against a real API server (simulated nodes: pods run no containers):
applied -> seen by the ``k8s`` probe -> undone, at the end of the run, and by ``chaosml rollback
JOURNAL`` after SIGKILL (a second rollback is a no-op). The fault cases (FAULTS) are here;
undone after SIGINT/SIGTERM (exit 130): test_fault_signals.py."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.docker.cli import (
    chaosml,
    events,
    finish,
    resolved_members,
    start_chaosml,
    wait_for_event,
)
from tests.integration.k8s.helpers import (
    LATENCY,
    Objects,
    experiment,
    probe,
    target,
    wait_until,
)

pytestmark = [pytest.mark.slow]


@dataclass(frozen=True)
class Case:
    setup: Callable[[Objects], None]
    target: Callable[[str], dict[str, Any]]
    step: Callable[[str], dict[str, Any]]
    observed: Callable[[str], dict[str, Any]]  # the probe step that sees the fault
    in_place: Callable[[Objects, list[str]], bool]
    restored: Callable[[Objects, list[str]], bool]


def _model(objs: Objects) -> None:
    objs.deployment("model", 3)


def _model_and_service(objs: Objects) -> None:
    objs.deployment("model", 2)
    objs.service("model-svc", app="model")
    wait_until(lambda: objs.endpoints("model-svc"), lambda n: n == 2, what="2 endpoints")


def _config(objs: Objects) -> None:
    objs.configmap("model-config", {"model_path": "/models/v1"})


def _pod_gone(objs: Objects, members: list[str]) -> bool:
    names = {p.metadata.name for p in objs.pods("model")}
    return all(m.split("/")[1] not in names for m in members)


def _model_back(objs: Objects, members: list[str]) -> bool:
    objs.wait_ready("model", 3)
    return _pod_gone(objs, members) and len(objs.pods("model")) == 3


def _pod_case(fault: str) -> Case:
    """A pod of three taken away; the probe sees its ReplicaSet create a replacement."""
    return Case(
        _model,
        lambda ns: target(ns, "pod", "model", count=1),
        lambda ns: {"fault": fault, "target": "victim", "grace_period": 0},
        lambda ns: probe(
            "fault observed", ns, {"above": 3}, field="events", reason="SuccessfulCreate"
        ),
        _pod_gone,
        _model_back,
    )


MARKER = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "chaos-marker"}}
FAULTS: dict[str, Case] = {
    "k8s.scale": Case(
        _model,
        lambda ns: target(ns, "deployment", "model"),
        lambda ns: {"fault": "k8s.scale", "target": "victim", "replicas": 0},
        lambda ns: probe("fault observed", ns, {"equals": 0}, name="model", field="ready_replicas"),
        lambda objs, _: objs.replicas("model") == 0,
        lambda objs, _: objs.replicas("model") == 3 and objs.wait_ready("model", 3) is None,
    ),
    "k8s.service.blackhole": Case(
        _model_and_service,
        lambda ns: target(ns, "service", "model-svc"),
        lambda ns: {"fault": "k8s.service.blackhole", "target": "victim"},
        lambda ns: probe("fault observed", ns, {"equals": 0}, name="model-svc", field="endpoints"),
        lambda objs, _: "app" not in objs.selector("model-svc"),
        lambda objs, _: objs.selector("model-svc") == {"app": "model"},
    ),
    "k8s.configmap.patch": Case(
        _config,
        lambda ns: target(ns, "configmap", "model-config"),
        lambda ns: {
            "fault": "k8s.configmap.patch",
            "target": "victim",
            "data": {"model_path": "/models/broken", "new_flag": "on"},
        },
        lambda ns: probe(
            "fault observed",
            ns,
            {"equals": "/models/broken"},
            kind="configmap",
            name="model-config",
            field="path",
            path="data.model_path",
        ),
        lambda objs, _: objs.data("model-config")["model_path"] == "/models/broken",
        lambda objs, _: objs.data("model-config") == {"model_path": "/models/v1"},
    ),
    "model.swap": Case(  # issue 17: the model path a ConfigMap holds, pointed elsewhere
        _config,
        lambda ns: target(ns, "configmap", "model-config"),
        lambda ns: {
            "fault": "model.swap",
            "configmap": {"target": "victim", "key": "model_path"},
            "with": "/models/stale",
        },
        lambda ns: probe(
            "fault observed",
            ns,
            {"equals": "/models/stale"},
            kind="configmap",
            name="model-config",
            field="path",
            path="data.model_path",
        ),
        lambda objs, _: objs.data("model-config")["model_path"] == "/models/stale",
        lambda objs, _: objs.data("model-config") == {"model_path": "/models/v1"},
    ),
    "k8s.pod.delete": _pod_case("k8s.pod.delete"),
    "k8s.pod.evict": _pod_case("k8s.pod.evict"),
    "k8s.networkpolicy.isolate": Case(
        _model,
        lambda ns: target(ns, "pod", "model", count=1),
        lambda ns: {"fault": "k8s.networkpolicy.isolate", "target": "victim"},
        lambda ns: probe(
            "fault observed",
            ns,
            {"equals": 1},
            kind="pod",
            field="pods",
            selector="app=model,chaosml.io/isolate",
        ),
        lambda objs, _: len(objs.policies()) == 1,
        lambda objs, _: (
            objs.policies() == []
            and all(
                "chaosml.io/isolate" not in (p.metadata.labels or {}) for p in objs.pods("model")
            )
        ),
    ),
    "k8s.apply": Case(
        _config,
        lambda ns: target(ns, "configmap", "model-config"),
        lambda ns: {"fault": "k8s.apply", "namespace": ns, "manifest": MARKER},
        lambda ns: probe(
            "fault observed",
            ns,
            {"equals": True},
            kind="configmap",
            name="chaos-marker",
            field="exists",
        ),
        lambda objs, _: "chaos-marker" in objs.data_names(),
        lambda objs, _: "chaos-marker" not in objs.data_names(),
    ),
}


def case_experiment(tmp_path: Path, ns: str, case: Case, hold: bool) -> Path:
    method = [case.step(ns), {"wait": "2s"}, case.observed(ns)]
    if hold:
        method.append({"wait": "60s"})
    return experiment(tmp_path, ns, {"victim": case.target(ns)}, method)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_seen_by_the_probe_and_undone_on_simulated_nodes(
    fault: str, objs: Objects, tmp_path: Path
) -> None:
    case = FAULTS[fault]
    case.setup(objs)
    exp = case_experiment(tmp_path, objs.namespace, case, hold=False)
    journal = tmp_path / "journal.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 0, done.stdout + done.stderr
    [seen] = [e for e in events(journal, "probe.result") if e["name"] == "fault observed"]
    assert seen["ok"], seen
    assert case.restored(objs, resolved_members(journal, "victim"))
    [reverted] = events(journal, "fault.reverted")
    assert reverted["ok"] and reverted["by"] == "rollback"
    undo = events(journal, "fault.undo_registered")[0]["undo"]
    assert undo["kind"] == fault


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_rollback_command_undoes_a_k8s_fault_after_sigkill_and_twice_is_a_no_op(
    fault: str, objs: Objects, tmp_path: Path
) -> None:
    case = FAULTS[fault]
    case.setup(objs)
    exp = case_experiment(tmp_path, objs.namespace, case, hold=True)
    journal = tmp_path / "journal.jsonl"
    proc = start_chaosml("run", exp, "--journal", journal, "--no-watchdog")  # a person's rollback
    wait_for_event(journal, "probe.result", proc, name="fault observed", ok=True)
    proc.kill()
    proc.communicate(timeout=30)
    members = resolved_members(journal, "victim")
    assert case.in_place(objs, members)  # nobody rolled back: the runner died

    first = chaosml("rollback", journal)
    assert first.returncode == 0, first.stdout + first.stderr
    assert case.restored(objs, members)
    [reverted] = events(journal, "fault.reverted")
    assert reverted["ok"] and reverted["by"] == "rollback-command"

    second = chaosml("rollback", journal)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to roll back" in second.stdout
    assert len(events(journal, "fault.reverted")) == 1
    assert case.restored(objs, members)


def test_evict_honours_a_pod_disruption_budget_and_deletes_nothing(
    objs: Objects, tmp_path: Path
) -> None:
    _model(objs)
    objs.pod_disruption_budget("model", min_available=3)
    before = {p.metadata.uid for p in objs.pods("model")}
    step = {"fault": "k8s.pod.evict", "target": "victim"}
    exp = experiment(
        tmp_path,
        objs.namespace,
        {"victim": target(objs.namespace, "pod", "model", count=1)},
        [step],
    )
    journal = tmp_path / "journal.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 5, done.stdout + done.stderr
    assert "disruption budget" in done.stdout + done.stderr
    assert {p.metadata.uid for p in objs.pods("model")} == before


def test_apply_creates_a_chaos_mesh_network_chaos_labelled_with_the_run_and_undoes_it(
    objs: Objects, network_chaos_crd: Any, tmp_path: Path
) -> None:
    _model(objs)
    step = {"fault": "k8s.apply", "namespace": objs.namespace, "manifest": LATENCY}
    exp = experiment(tmp_path, objs.namespace, {}, [step, {"wait": "60s"}])
    journal = tmp_path / "journal.jsonl"
    proc = start_chaosml("run", exp, "--journal", journal)
    wait_for_event(journal, "fault.applied", proc)

    def read() -> Any:
        return network_chaos_crd.get_namespaced_custom_object(
            "chaos-mesh.org", "v1alpha1", objs.namespace, "networkchaos", "model-latency"
        )

    created = read()
    run_id = events(journal, "run.start")[0]["run_id"]
    assert created["metadata"]["labels"]["chaosml.run_id"] == run_id
    assert created["metadata"]["annotations"]["chaosml.io/expires-at"].endswith("Z")
    assert created["spec"]["delay"]["latency"] == "300ms"

    proc.send_signal(signal.SIGTERM)
    code, output = finish(proc)

    assert code == 130, output
    listed = network_chaos_crd.list_namespaced_custom_object(
        "chaos-mesh.org", "v1alpha1", objs.namespace, "networkchaos"
    )
    assert listed["items"] == []


def test_model_swap_on_a_configmap_reloads_the_server_after_apply_and_after_undo(
    objs: Objects, tmp_path: Path
) -> None:
    from tests.fixtures.http_servers import QuietHandler, serving

    calls: list[str] = []

    class Reloads(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            calls.append(objs.data("model-config")["model_path"])  # what the server would load
            self.reply_json(200, {"reloaded": True})

    _config(objs)
    with serving(Reloads) as url:
        step = {
            "fault": "model.swap",
            "configmap": {"target": "victim", "key": "model_path"},
            "with": "/models/stale",
            "reload": {"http": {"url": f"{url}/reload"}},
        }
        victim = {"victim": target(objs.namespace, "configmap", "model-config")}
        exp = experiment(tmp_path, objs.namespace, victim, [step, {"wait": "1s"}])
        done = chaosml("run", exp, "--journal", tmp_path / "journal.jsonl")
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == ["/models/stale", "/models/v1"]  # reloaded on the swap, then on the undo
    assert objs.data("model-config") == {"model_path": "/models/v1"}


def test_model_swap_wants_exactly_one_place(tmp_path: Path, objs: Objects) -> None:
    step = {"fault": "model.swap", "with": "/models/stale"}
    victim = {"victim": target(objs.namespace, "configmap", "model-config")}
    exp = experiment(tmp_path, objs.namespace, victim, [step])
    done = chaosml("validate", exp)
    assert done.returncode == 2
    assert "give exactly one of path (a file or directory) or configmap" in done.stderr
