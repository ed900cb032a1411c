"""The annotation observers a run or drill gets from its environment (all optional):

| variable | observer |
|---|---|
| ``CHAOSML_PUSHGATEWAY_URL`` | ``chaosml_fault_active`` pushed while a fault is active |
| ``CHAOSML_GRAFANA_URL`` (+ ``CHAOSML_GRAFANA_TOKEN``) | a Grafana annotation per fault window |

Each variable holds a URL or the name of one of the experiment's ``sources:`` (whose connection
block — auth, headers, TLS — is then used); without the variable, a source named
``pushgateway`` or ``grafana`` is used (docs/monitoring-sources.md). A name that is neither is
logged and that observer left out: an observer never breaks a run, nor ``chaosml rollback``
(which knows no experiment's sources and reaches the backends through URLs only).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from pydantic import ValidationError

from chaosml.contract.connection import Connection
from chaosml.journal.writer import Observer

log = logging.getLogger(__name__)

PUSHGATEWAY_ENV = "CHAOSML_PUSHGATEWAY_URL"
GRAFANA_ENV = "CHAOSML_GRAFANA_URL"
GRAFANA_TOKEN_ENV = "CHAOSML_GRAFANA_TOKEN"


def annotation_observers(
    environ: Mapping[str, str] | None = None,
    pushgateway: str | None = None,
    sources: Mapping[str, Connection] | None = None,
) -> list[Observer]:
    """Fresh observers for one run (they keep per-run state); ``sources``: the experiment's."""
    env = os.environ if environ is None else environ
    known = dict(sources or {})
    observers: list[Observer] = []
    push = _connection(pushgateway or env.get(PUSHGATEWAY_ENV), "pushgateway", known)
    # local imports: each observer's HTTP client loads only when its backend is configured
    if push is not None:
        from chaosml.reporting.pushgateway import PushgatewayObserver

        observers.append(PushgatewayObserver(push))
    grafana = _connection(env.get(GRAFANA_ENV), "grafana", known)
    if grafana is not None:
        from chaosml.reporting.grafana import GrafanaAnnotator

        observers.append(GrafanaAnnotator(grafana, env.get(GRAFANA_TOKEN_ENV)))
    return observers


def _connection(given: str | None, name: str, known: Mapping[str, Connection]) -> Connection | None:
    """The source named ``given``, the URL ``given``, or the source called ``name``."""
    if not given:
        return known.get(name)
    if given in known:
        return known[given]
    try:
        return Connection(url=given)
    except ValidationError:
        shown = ", ".join(known) or "none"
        log.warning(
            "no %s annotations: '%s' is neither an http(s) URL nor a source of the experiment "
            "(sources: %s)",
            name,
            given,
            shown,
        )
        return None
