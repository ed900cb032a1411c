"""Pure reading of alert lists: Prometheus ``/api/v1/alerts`` and Alertmanager ``/api/v2/alerts``.

States: ``inactive`` (no matching alert), ``pending`` (Prometheus: the expression holds but ``for``
has not elapsed; Alertmanager: ``unprocessed``), ``firing`` (Prometheus: firing; Alertmanager:
``active``) and ``suppressed`` (Alertmanager: silenced or inhibited — it notifies nobody, so it
does not count as firing). When several alerts match, the most advanced state wins and, within
it, the earliest start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chaosml import redaction
from chaosml.errors import ProbeError

AlertState = Literal["inactive", "pending", "suppressed", "firing"]
_RANK: dict[str, int] = {"inactive": 0, "pending": 1, "suppressed": 2, "firing": 3}
_PROM_STATES: dict[str, AlertState] = {"firing": "firing", "pending": "pending"}
_AM_STATES: dict[str, AlertState] = {
    "active": "firing",
    "unprocessed": "pending",
    "suppressed": "suppressed",
}
_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class AlertView:
    """One alert as a source reports it."""

    labels: dict[str, str]
    state: AlertState
    active_at: float | None  # Unix time: Prometheus ``activeAt``, Alertmanager ``startsAt``


def parse_rfc3339(text: str) -> float:
    """Unix time of an RFC 3339 timestamp, keeping nanosecond digits (Python keeps only 6)."""
    found = _RFC3339.match(text.strip())
    if not found:
        raise ProbeError(f"not an RFC 3339 timestamp: {text!r}")
    day, clock, fraction, zone = found.groups()
    offset = "+00:00" if zone in ("Z", "z") else zone
    whole = datetime.fromisoformat(f"{day}T{clock}{offset}").timestamp()
    return whole + (float("0." + fraction) if fraction else 0.0)


def _time_or_none(raw: Any) -> float | None:
    if not raw:
        return None
    stamp = parse_rfc3339(str(raw))
    return stamp if stamp > 0 else None  # Go's zero time 0001-01-01 means "unset"


def prometheus_alerts(payload: Any) -> list[AlertView]:
    """Alerts of a Prometheus ``/api/v1/alerts`` answer (vmalert's too: it answers
    ``"alerts": null`` while none is active)."""
    try:
        raw_alerts = payload["data"]["alerts"] or []
    except (TypeError, KeyError):
        raise ProbeError(
            f"not a Prometheus /api/v1/alerts answer: {redaction.clip(str(payload), 200)}"
        ) from None
    return [_prometheus_alert(item) for item in raw_alerts]


def _prometheus_alert(item: dict[str, Any]) -> AlertView:
    state = _PROM_STATES.get(str(item.get("state", "")).lower(), "inactive")
    return AlertView(_labels(item), state, _time_or_none(item.get("activeAt")))


def alertmanager_alerts(payload: Any, now: float) -> list[AlertView]:
    """Alerts of an Alertmanager ``/api/v2/alerts`` answer; resolved ones (ended) are dropped."""
    if not isinstance(payload, list):
        raise ProbeError(
            f"not an Alertmanager /api/v2/alerts answer: {redaction.clip(str(payload), 200)}"
        )
    views = [_alertmanager_alert(item) for item in payload]
    return [view for view, ends in views if ends is None or ends > now]


def _alertmanager_alert(item: dict[str, Any]) -> tuple[AlertView, float | None]:
    status = item.get("status") or {}
    state = _AM_STATES.get(str(status.get("state", "")), "inactive")
    view = AlertView(_labels(item), state, _time_or_none(item.get("startsAt")))
    return view, _time_or_none(item.get("endsAt"))


def _labels(item: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (item.get("labels") or {}).items()}


def matching(alerts: list[AlertView], name: str, labels: dict[str, str]) -> list[AlertView]:
    """Alerts named ``name`` carrying every label in ``labels``."""
    wanted = {"alertname": name, **labels}
    return [a for a in alerts if all(a.labels.get(k) == v for k, v in wanted.items())]


def most_advanced(alerts: list[AlertView]) -> AlertView | None:
    """The alert in the most advanced state; within that state, the one that started first."""
    if not alerts:
        return None
    top = max(_RANK[a.state] for a in alerts)
    ranked = [a for a in alerts if _RANK[a.state] == top]
    return min(ranked, key=lambda a: a.active_at if a.active_at is not None else float("inf"))


def rule_hold(payload: Any, name: str) -> float | None:
    """The ``for:`` (seconds) of alerting rule ``name`` in a ``/api/v1/rules`` answer; None when
    the answer has no such rule (vmalert's and Prometheus's both carry ``duration``)."""
    try:
        groups = payload["data"]["groups"] or []
    except (TypeError, KeyError):
        return None
    for group in groups:
        for rule in group.get("rules") or []:
            if rule.get("type") == "alerting" and rule.get("name") == name:
                duration = rule.get("duration")
                return float(duration) if isinstance(duration, int | float) else None
    return None
