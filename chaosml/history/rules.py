"""The alerting rules a Prometheus evaluates, read from ``/api/v1/rules?type=alert``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml.errors import InfrastructureError
from chaosml.io import http_client

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class AlertRule:
    name: str
    group: str
    expr: str
    for_s: float
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


def alerting_rules(prometheus_url: str) -> list[AlertRule]:
    """Every alerting rule of every group; InfrastructureError (exit 5) when Prometheus cannot
    be read or answers with something that is not its rules API."""
    url = prometheus_url.rstrip("/") + "/api/v1/rules?type=alert"
    response = http_client.request("GET", url, timeout=TIMEOUT_S, retries=2)
    payload = response.json()
    if (
        response.status != 200
        or not isinstance(payload, dict)
        or payload.get("status") != "success"
    ):
        raise InfrastructureError(
            f"GET {url} answered {response.status}: not Prometheus's rules API "
            f"({response.text[:200]!r})"
        )
    return [
        rule
        for group in (payload.get("data") or {}).get("groups") or []
        for rule in _rules_of(group)
    ]


def _rules_of(group: dict[str, Any]) -> list[AlertRule]:
    return [
        AlertRule(
            name=str(r.get("name", "")),
            group=str(group.get("name", "")),
            expr=str(r.get("query", "")),
            for_s=float(r.get("duration") or 0.0),
            labels={str(k): str(v) for k, v in (r.get("labels") or {}).items()},
            annotations={str(k): str(v) for k, v in (r.get("annotations") or {}).items()},
        )
        for r in group.get("rules") or []
        if r.get("type", "alerting") == "alerting"
    ]
