"""Probe ``alert``: is an alert inactive, pending or firing — in Prometheus or Alertmanager?

``Sample.value`` is the state (``alert_states``); ``details`` carry ``active_at`` (Unix time
from the alert's own ``activeAt``/``startsAt``, or None), ``labels``, ``source`` and
``matches`` (how many alerts matched) and ``alerts`` (every matching instance: labels, state,
active_at). The engine's ``expect_alert`` polls this probe and
computes time to detect from ``active_at``.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Literal

from pydantic import Field

from chaosml import redaction
from chaosml.contract.checks import ExactlyOne
from chaosml.contract.connection import Connection, ConnectionRef
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.drivers.alert_states import (
    AlertView,
    alertmanager_alerts,
    matching,
    most_advanced,
    prometheus_alerts,
    rule_hold,
)
from chaosml.drivers.base import ProbeDriver
from chaosml.errors import InfrastructureError
from chaosml.io import monitoring_http
from chaosml.model.types import Duration

SourceKind = Literal["prometheus", "alertmanager"]
_PATHS: dict[str, str] = {"prometheus": "/api/v1/alerts", "alertmanager": "/api/v2/alerts"}
_NAMES: dict[str, str] = {"prometheus": "Prometheus", "alertmanager": "Alertmanager"}
RETRIES = 2


class AlertSource(ExactlyOne):
    """Exactly one of ``prometheus:`` or ``alertmanager:``, each a URL, a source's name or a
    connection block (``contract.connection``)."""

    prometheus: ConnectionRef | None = None
    alertmanager: ConnectionRef | None = None

    one_of = ("prometheus", "alertmanager")
    one_of_error = "give exactly one of prometheus: URL or alertmanager: URL"

    @property
    def kind(self) -> SourceKind:
        return "prometheus" if self.prometheus is not None else "alertmanager"

    @property
    def connection(self) -> Connection:
        found = self.prometheus or self.alertmanager
        assert found is not None  # _exactly_one
        return found

    @property
    def base_url(self) -> str:
        return self.connection.base_url


class AlertParams(Params):
    name: str = Field(min_length=1)
    labels: dict[str, str] = {}
    source: AlertSource
    timeout: Duration = 5.0


class AlertProbe(ProbeDriver[AlertParams]):
    kind: ClassVar[str] = "alert"
    summary: ClassVar[str] = (
        "an alert's state (inactive/pending/firing) in Prometheus or Alertmanager"
    )

    def __init__(self) -> None:
        self._holds: dict[tuple[str, str], float | None] = {}  # a rule's for:, read once

    def sample(self, params: AlertParams, ctx: DriverContext) -> Sample:
        found = matching(fetch_alerts(params.source, params.timeout), params.name, params.labels)
        sample = alert_sample(most_advanced(found), len(found), params.source.kind)
        holds = self._hold(params, found)
        sample.details["alerts"] = [instance_json(a, holds) for a in found]
        return sample

    def _hold(self, params: AlertParams, found: list[AlertView]) -> float | None:
        """The rule's ``for:``, read from Prometheus once per rule and run (polls of a firing
        alert in recovery need not ask again); None for Alertmanager or before it fires."""
        if params.source.kind != "prometheus" or not any(a.state == "firing" for a in found):
            return None
        key = (params.source.base_url, params.name)
        if key not in self._holds:
            self._holds[key] = _for_seconds(params)
        return self._holds[key]

    def describe(self, params: AlertParams) -> str:
        return f"alert {params.name} in {params.source.kind} at {params.source.base_url}"


def fetch_alerts(source: AlertSource, timeout: float) -> list[AlertView]:
    """Every alert the source reports now."""
    path = _PATHS[source.kind]
    url = source.base_url + path
    resp = monitoring_http.request(
        _NAMES[source.kind], source.connection, "GET", path, timeout=timeout, retries=RETRIES
    )
    payload = resp.json()
    if resp.status != 200 or payload is None:
        raise InfrastructureError(
            f"{url} answered {resp.status}: {redaction.clip(resp.text, 200, '')!r}",
            hint=f"is {source.base_url} a {source.kind} server?",
        )
    if source.kind == "prometheus":
        return prometheus_alerts(payload)
    return alertmanager_alerts(payload, now=server_now(resp.headers))


def server_now(headers: dict[str, str]) -> float:
    """The server's time from its ``Date`` header (its ``endsAt`` is on its clock, not ours:
    issue 21); chaosml's time when there is none."""
    date = {k.lower(): v for k, v in headers.items()}.get("date")
    try:
        return parsedate_to_datetime(date).timestamp() if date else time.time()
    except (TypeError, ValueError):
        return time.time()


def instance_json(alert: AlertView, hold_s: float | None = None) -> dict[str, Any]:
    """``fired_at``: when a firing instance turned firing — Prometheus's ``activeAt`` is when it
    turned *pending*, ``hold_s`` (the rule's ``for:``) later it fires; Alertmanager's
    ``startsAt`` is already the firing time (Prometheus sends it the moment it fires)."""
    fired_at = alert.active_at
    if alert.state == "firing" and alert.active_at is not None and hold_s is not None:
        fired_at = alert.active_at + hold_s
    return {
        "labels": alert.labels,
        "state": alert.state,
        "active_at": alert.active_at,
        "fired_at": fired_at if alert.state == "firing" else None,
    }


def _for_seconds(params: AlertParams) -> float | None:
    """The ``for:`` of the alert's rule in Prometheus (``/api/v1/rules``); None when the rule
    is not listed."""
    resp = monitoring_http.request(
        "Prometheus",
        params.source.connection,
        "GET",
        "/api/v1/rules?type=alert",
        timeout=params.timeout,
        retries=RETRIES,
    )
    payload = resp.json() if resp.status == 200 else None
    return rule_hold(payload, params.name)


def alert_sample(alert: AlertView | None, matches: int, source: SourceKind) -> Sample:
    """The probe's reading: the state, and when and with which labels the alert became active."""
    if alert is None:
        details: dict[str, Any] = {"active_at": None, "labels": {}}
        return Sample(value="inactive", details={**details, "source": source, "matches": 0})
    details = {"active_at": alert.active_at, "labels": alert.labels}
    return Sample(value=alert.state, details={**details, "source": source, "matches": matches})
