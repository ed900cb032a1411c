"""The k8s fault cases of test_faults.py and test_fault_signals.py: for each fault, its objects,
its target, the step, the probe step that sees it, and how the test sees it in place and undone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.integration.k8s.helpers import Objects, experiment, probe, target, wait_until


@dataclass(frozen=True)
class Case:
    setup: Callable[[Objects], None]
    target: Callable[[str], dict[str, Any]]
    step: Callable[[str], dict[str, Any]]
    observed: Callable[[str], dict[str, Any]]  # the probe step that sees the fault
    in_place: Callable[[Objects, list[str]], bool]
    restored: Callable[[Objects, list[str]], bool]


def model_deployment(objs: Objects) -> None:
    objs.deployment("model", 3)


def model_and_service(objs: Objects) -> None:
    objs.deployment("model", 2)
    objs.service("model-svc", app="model")
    wait_until(lambda: objs.endpoints("model-svc"), lambda n: n == 2, what="2 endpoints")


def model_config(objs: Objects) -> None:
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
        model_deployment,
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
        model_deployment,
        lambda ns: target(ns, "deployment", "model"),
        lambda ns: {"fault": "k8s.scale", "target": "victim", "replicas": 0},
        lambda ns: probe("fault observed", ns, {"equals": 0}, name="model", field="ready_replicas"),
        lambda objs, _: objs.replicas("model") == 0,
        lambda objs, _: objs.replicas("model") == 3 and objs.wait_ready("model", 3) is None,
    ),
    "k8s.service.blackhole": Case(
        model_and_service,
        lambda ns: target(ns, "service", "model-svc"),
        lambda ns: {"fault": "k8s.service.blackhole", "target": "victim"},
        lambda ns: probe("fault observed", ns, {"equals": 0}, name="model-svc", field="endpoints"),
        lambda objs, _: "app" not in objs.selector("model-svc"),
        lambda objs, _: objs.selector("model-svc") == {"app": "model"},
    ),
    "k8s.configmap.patch": Case(
        model_config,
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
        model_config,
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
        model_deployment,
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
        model_config,
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
