"""A drill without Prometheus: its alert checks replaced by direct reads of the stack's metrics.

``chaosml demo`` uses this when ``prometheus`` or ``prometheus-alertmanager`` is not on the
PATH. On a drill's parsed document (before ``${...}`` substitution):

- steady-state, method and recovery probes that need Prometheus or Alertmanager (kinds
  ``prometheus`` and ``alert``) are dropped, and so is ``recovery.alerts_resolve``;
- each ``expect_alert`` step becomes the probe of ``SUBSTITUTES`` for that alert: what the
  alert's rule would see, read straight from a service (its ``/metrics``, or a request), after
  a short wait that lets the service notice the fault. An alert without a substitute is dropped.

So the fault's effect is still checked, but not the alerting pipeline: the demo says so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

ALERT_KINDS = ("prometheus", "alert")
SETTLE = "2500ms"  # a few of the services' 1 s health checks and metric updates

Step = dict[str, Any]


LATENCY = "predictions are slower than the HighP99Latency threshold (250 ms)"
SERVER_DOWN = "the traffic generator sees the model server down (ModelServerDown's signal)"
TELEMETRY_ABSENT = "the model server's metrics, as Prometheus would scrape them, are empty"
NAN_FEATURES = "the model server counts NaN feature values (NaNFeatures' signal)"


def _latency(v: Mapping[str, str]) -> Step:
    return _probe(
        LATENCY,
        {"http": {"url": f"{v['MODEL_URL']}/predict", "method": "POST", "json": {"entity_id": 7},
                  "timeout": "5s", "measure": "latency"}},
        {"above": 0.25},
    )  # fmt: skip


def _server_down(v: Mapping[str, str]) -> Step:
    return _probe(
        SERVER_DOWN,
        {"metrics": {"url": f"{v['TRAFFIC_URL']}/metrics", "name": "traffic_target_up",
                     "labels": {"target": "model-server"}}},
        {"equals": 0},
    )  # fmt: skip


def _telemetry_absent(v: Mapping[str, str]) -> Step:
    return _probe(
        TELEMETRY_ABSENT,
        {"http": {"url": f"http://{v['MODEL_METRICS_ADDRESS']}/metrics", "timeout": "2s"}},
        {"equals": ""},
    )  # fmt: skip


def _nan_features(v: Mapping[str, str]) -> Step:
    return _probe(
        NAN_FEATURES,
        {"metrics": {"url": f"{v['MODEL_URL']}/metrics", "name": "model_invalid_features_total",
                     "labels": {"reason": "nan", "feature": "age"}}},
        {"above": 0},
    )  # fmt: skip


SUBSTITUTES: dict[str, Callable[[Mapping[str, str]], Step]] = {
    "HighP99Latency": _latency,
    "ModelServerDown": _server_down,
    "TelemetryAbsent": _telemetry_absent,
    "NaNFeatures": _nan_features,
}
SUBSTITUTE_NAMES = {
    "HighP99Latency": LATENCY,
    "ModelServerDown": SERVER_DOWN,
    "TelemetryAbsent": TELEMETRY_ABSENT,
    "NaNFeatures": NAN_FEATURES,
}


def _probe(name: str, kind: Step, expect: Step) -> Step:
    return {"probe": {"name": name, **kind, "expect": expect}}


def without_alerts(doc: Any, variables: Mapping[str, str]) -> Any:
    """A copy of the drill ``doc`` whose alert checks are replaced as the module says."""
    if not isinstance(doc, dict):
        return doc
    out = copy.deepcopy(doc)
    out["steady_state"] = _keep_probes(out.get("steady_state") or [])
    observe = out.get("observe")
    if isinstance(observe, dict):
        observe["metrics"] = _keep_probes(observe.get("metrics") or [])
        if not observe["metrics"]:
            out.pop("observe")
    out["method"] = [s for step in out.get("method") or [] for s in _method_step(step, variables)]
    recovery = out.get("recovery")
    if isinstance(recovery, dict):
        recovery.pop("alerts_resolve", None)
        if "probes" in recovery:
            recovery["probes"] = _keep_probes(recovery["probes"])
    return out


def _keep_probes(probes: list[Any]) -> list[Any]:
    return [p for p in probes if not (isinstance(p, dict) and _needs_alerting(p))]


def _needs_alerting(entry: Mapping[str, Any]) -> bool:
    return any(kind in entry for kind in ALERT_KINDS)


def _method_step(step: Any, variables: Mapping[str, str]) -> list[Any]:
    if not isinstance(step, dict):
        return [step]
    if "expect_notification" in step:  # no Alertmanager: nothing to notify
        return []
    if "expect_alert" in step:
        substitute = SUBSTITUTES.get(str(step["expect_alert"].get("name")))
        return [{"wait": SETTLE}, substitute(variables)] if substitute else []
    probe = step.get("probe")
    if isinstance(probe, dict) and _needs_alerting(probe):
        return []
    return [step]
