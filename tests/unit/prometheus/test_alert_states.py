"""Reading alert lists from Prometheus and Alertmanager (recorded payloads)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chaosml.drivers.alert_probe import alert_sample
from chaosml.drivers.alert_states import (
    AlertView,
    alertmanager_alerts,
    matching,
    most_advanced,
    parse_rfc3339,
    prometheus_alerts,
)
from chaosml.errors import ProbeError

PAYLOADS = Path(__file__).parent / "payloads"
BASE = datetime(2026, 11, 29, 7, 45, 1, tzinfo=UTC).timestamp()


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_rfc3339_keeps_nanoseconds() -> None:
    assert parse_rfc3339("2026-11-29T07:45:01.123456789Z") == pytest.approx(
        BASE + 0.123456789, abs=1e-7
    )
    assert parse_rfc3339("2026-11-29T07:45:01.123456789Z") != parse_rfc3339(
        "2026-11-29T07:45:01.123456Z"
    )


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-11-29T07:45:01Z", 0.0),
        ("2026-11-29T07:45:01.5Z", 0.5),
        ("2026-11-29T08:45:01.25+01:00", 0.25),
        ("2026-11-29t07:45:01.001z", 0.001),
    ],
)
def test_rfc3339_forms(text: str, offset: float) -> None:
    assert parse_rfc3339(text) == pytest.approx(BASE + offset, abs=1e-6)


def test_rfc3339_rejects_other_forms() -> None:
    with pytest.raises(ProbeError, match="not an RFC 3339 timestamp"):
        parse_rfc3339("yesterday")


def test_prometheus_alerts_carry_state_labels_and_active_at() -> None:
    alerts = prometheus_alerts(payload("prom_alerts.json"))
    by_name = {a.labels["alertname"]: a for a in alerts}
    assert by_name["VictimDown"].state == "firing"
    assert by_name["VictimDown"].labels["severity"] == "page"
    assert by_name["AlwaysPending"].state == "pending"
    raw = next(
        a
        for a in payload("prom_alerts.json")["data"]["alerts"]
        if a["labels"]["alertname"] == "VictimDown"
    )
    assert by_name["VictimDown"].active_at == parse_rfc3339(raw["activeAt"])


def test_alertmanager_active_is_firing_and_ended_alerts_are_dropped() -> None:
    raw = payload("am_alerts.json")
    alerts = alertmanager_alerts(raw, now=0.0)
    assert {a.state for a in alerts} == {"firing"}
    assert {a.labels["alertname"] for a in alerts} >= {"VictimDown", "AlwaysFiring"}
    assert alertmanager_alerts(raw, now=4e9) == []  # every endsAt lies before that


def test_alertmanager_silenced_is_suppressed_and_unprocessed_pending() -> None:
    item = {
        "labels": {"alertname": "A"},
        "startsAt": "2026-11-29T07:45:01.000Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "status": {"state": "suppressed"},
    }
    [silenced] = alertmanager_alerts([item], now=BASE)
    assert silenced.state == "suppressed"
    [fresh] = alertmanager_alerts([{**item, "status": {"state": "unprocessed"}}], now=BASE)
    assert fresh.state == "pending"


def test_not_an_alert_list_is_a_probe_error() -> None:
    with pytest.raises(ProbeError, match="not a Prometheus"):
        prometheus_alerts({"status": "error"})
    with pytest.raises(ProbeError, match="not an Alertmanager"):
        alertmanager_alerts({"data": []}, now=0.0)


def view(state: Any, at: float | None, **labels: str) -> AlertView:
    return AlertView({"alertname": "A", **labels}, state, at)


def test_matching_needs_the_name_and_every_label() -> None:
    alerts = [view("firing", 1.0, severity="page"), view("firing", 1.0), view("firing", 1.0)]
    alerts.append(AlertView({"alertname": "B", "severity": "page"}, "firing", 1.0))
    assert len(matching(alerts, "A", {"severity": "page"})) == 1
    assert len(matching(alerts, "A", {})) == 3
    assert matching(alerts, "C", {}) == []


def test_most_advanced_state_wins_then_earliest_start() -> None:
    alerts = [view("pending", 1.0), view("firing", 5.0), view("firing", 3.0)]
    assert most_advanced(alerts) == view("firing", 3.0)
    assert most_advanced([]) is None


def test_sample_of_no_alert_is_inactive_with_no_active_at() -> None:
    sample = alert_sample(None, 0, "prometheus")
    assert sample.value == "inactive"
    assert sample.details == {"active_at": None, "labels": {}, "source": "prometheus", "matches": 0}


def test_sample_of_a_firing_alert() -> None:
    sample = alert_sample(view("firing", 12.5, severity="page"), 2, "alertmanager")
    assert sample.value == "firing"
    assert sample.details["active_at"] == 12.5
    assert sample.details["labels"]["severity"] == "page"
    assert sample.details["matches"] == 2
