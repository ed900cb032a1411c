"""Alertmanager's webhook format, version 4: what a ``webhook_configs`` receiver is posted.

Pure: bytes in, a ``Notification`` out, or ``BadPayload`` saying what is wrong. URLs in the
payload lose any ``user:password@`` before they are kept (the journal writer then masks the
experiment's secrets).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from chaosml import redaction
from chaosml.json_fields import json_fields

VERSION = "4"
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
# Notification.to_json, before "alerts"
NOTIFICATION_FIELDS = ("receiver", "status", "group_key", "group_labels", "external_url", "path")


class BadPayload(ValueError):
    """A body that is not Alertmanager's webhook format version 4."""


@dataclass(frozen=True)
class NotifiedAlert:
    status: str  # firing | resolved
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: str
    fingerprint: str

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    def to_json(self) -> dict[str, Any]:
        return json_fields(self, "status", "labels", "annotations", "starts_at", "fingerprint")


@dataclass(frozen=True)
class Notification:
    """One POST of Alertmanager to a webhook receiver."""

    receiver: str
    status: str
    group_key: str
    alerts: list[NotifiedAlert]
    external_url: str = ""
    received_at: float = 0.0  # Unix time chaosml read it
    path: str = "/"
    group_labels: dict[str, str] = field(default_factory=dict)

    def firing(self, name: str, labels: dict[str, str]) -> list[NotifiedAlert]:
        """Firing alerts named ``name`` carrying every label of ``labels``."""
        return [
            a
            for a in self.alerts
            if a.status == "firing"
            and a.name == name
            and all(a.labels.get(k) == v for k, v in labels.items())
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            **json_fields(self, *NOTIFICATION_FIELDS, "received_at"),
            "alerts": [a.to_json() for a in self.alerts],
        }


def parse(body: bytes, received_at: float, path: str = "/") -> Notification:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(f"not JSON: {redaction.clip(str(exc), 120)}") from None
    if not isinstance(data, dict):
        raise BadPayload("not a JSON object")
    if str(data.get("version")) != VERSION:
        raise BadPayload(f"webhook format version {data.get('version')!r}, expected {VERSION!r}")
    return Notification(
        receiver=_text(data, "receiver"),
        status=_text(data, "status"),
        group_key=str(data.get("groupKey", "")),
        alerts=[_alert(item) for item in _list(data, "alerts")],
        external_url=_no_userinfo(str(data.get("externalURL", ""))),
        received_at=received_at,
        path=path,
        group_labels=_strings(data.get("groupLabels"), "groupLabels"),
    )


def _alert(item: Any) -> NotifiedAlert:
    if not isinstance(item, dict):
        raise BadPayload("an entry of alerts is not an object")
    return NotifiedAlert(
        status=_text(item, "status"),
        labels=_strings(item.get("labels"), "labels"),
        annotations={k: _no_userinfo(v) for k, v in _strings(item.get("annotations")).items()},
        starts_at=str(item.get("startsAt", "")),
        fingerprint=str(item.get("fingerprint", "")),
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise BadPayload(f"{key} missing or not a string")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise BadPayload(f"{key} missing or not a list")
    return value


def _strings(value: Any, key: str = "annotations") -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{key} is not an object")
    return {str(k): str(v) for k, v in value.items()}


def _no_userinfo(text: str) -> str:
    return _USERINFO.sub("***@", text)


def missing(alert: NotifiedAlert, labels: dict[str, str], annotations: list[str]) -> list[str]:
    """What a notified alert lacks of the required labels and annotations (empty: nothing)."""
    lacking = [f"label {k}={v}" for k, v in labels.items() if alert.labels.get(k) != v]
    return lacking + [f"annotation {a}" for a in annotations if not alert.annotations.get(a)]
