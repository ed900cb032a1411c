"""The annotation observers a run or drill gets from its environment (all optional):

| variable | observer |
|---|---|
| ``CHAOSML_PUSHGATEWAY_URL`` | ``chaosml_fault_active`` pushed while a fault is active |
| ``CHAOSML_GRAFANA_URL`` (+ ``CHAOSML_GRAFANA_TOKEN``) | a Grafana annotation per fault window |
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from chaosml.journal.writer import Observer
from chaosml.reporting.grafana import GrafanaAnnotator
from chaosml.reporting.pushgateway import PushgatewayObserver

PUSHGATEWAY_ENV = "CHAOSML_PUSHGATEWAY_URL"
GRAFANA_ENV = "CHAOSML_GRAFANA_URL"
GRAFANA_TOKEN_ENV = "CHAOSML_GRAFANA_TOKEN"


def annotation_observers(
    environ: Mapping[str, str] | None = None, pushgateway: str | None = None
) -> list[Observer]:
    """Fresh observers for one run (they keep per-run state)."""
    env = os.environ if environ is None else environ
    observers: list[Observer] = []
    url = pushgateway or env.get(PUSHGATEWAY_ENV)
    if url:
        observers.append(PushgatewayObserver(url))
    if env.get(GRAFANA_ENV):
        observers.append(GrafanaAnnotator(env[GRAFANA_ENV], env.get(GRAFANA_TOKEN_ENV)))
    return observers
