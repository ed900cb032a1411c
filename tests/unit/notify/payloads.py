"""Alertmanager webhook bodies (format version 4), as Alertmanager 0.25 posts them."""

from __future__ import annotations

import json
from typing import Any


def webhook_body(
    receiver: str = "ml-oncall",
    alert: str = "ModelServerDown",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    status: str = "firing",
    version: str = "4",
) -> dict[str, Any]:
    alert_labels = {"alertname": alert, "severity": "page", **(labels or {})}
    return {
        "version": version,
        "groupKey": "{}:{alertname=" + f'"{alert}"' + "}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": receiver,
        "groupLabels": {"alertname": alert},
        "commonLabels": alert_labels,
        "commonAnnotations": {},
        "externalURL": "http://admin:hunter2@alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": alert_labels,
                "annotations": annotations
                if annotations is not None
                else {"summary": "down", "runbook_url": "https://runbooks/model"},
                "startsAt": "2026-12-01T18:00:00.123456789Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus/graph",
                "fingerprint": "c0ffee",
            }
        ],
    }


def encoded(**kwargs: Any) -> bytes:
    return json.dumps(webhook_body(**kwargs)).encode()
