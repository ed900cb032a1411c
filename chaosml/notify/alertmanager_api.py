"""Alertmanager's own view (API v2): its live configuration, its alerts with their receivers and
suppression (what routing decided for each), and its silences. Read through the shared HTTP
client; used by ``expect_notification`` and ``chaosml routes`` (docs/notifications.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml import redaction
from chaosml.contract.connection import Connection, as_connection
from chaosml.drivers.alert_probe import server_now
from chaosml.drivers.alert_states import parse_rfc3339
from chaosml.errors import InfrastructureError
from chaosml.io import monitoring_http

RETRIES = 2


@dataclass(frozen=True)
class AmAlert:
    """One alert as Alertmanager holds it."""

    fingerprint: str
    labels: dict[str, str]
    state: str  # active | suppressed | unprocessed
    receivers: list[str]
    silenced_by: list[str]
    inhibited_by: list[str]
    starts_at: float | None  # Unix time, on Alertmanager's clock

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")


@dataclass(frozen=True)
class Silence:
    id: str
    created_by: str
    comment: str
    matchers: list[str] = field(default_factory=list)


class AlertmanagerApi:
    """Alertmanager's v2 API, reached as the source's connection block says (auth, headers,
    TLS, path prefix: docs/monitoring-sources.md); a bare URL is a block with only ``url``."""

    def __init__(self, source: str | Connection, timeout: float = 5.0) -> None:
        self.connection = as_connection(source)
        self.base_url = self.connection.base_url
        self.timeout = timeout
        self.server_now: float | None = None  # Alertmanager's time at the last answer

    def config_text(self) -> str:
        """``config.original`` of ``/api/v2/status``: the YAML Alertmanager runs with."""
        status = self._get("/api/v2/status")
        text = (status.get("config") or {}).get("original") if isinstance(status, dict) else None
        if not isinstance(text, str):
            raise self._unexpected("/api/v2/status", status)
        return text

    def alerts(self) -> list[AmAlert]:
        """Every alert, silenced, inhibited and unprocessed ones included."""
        payload = self._get("/api/v2/alerts?silenced=true&inhibited=true&unprocessed=true")
        if not isinstance(payload, list):
            raise self._unexpected("/api/v2/alerts", payload)
        return [_alert(item) for item in payload if isinstance(item, dict)]

    def silence(self, silence_id: str) -> Silence:
        item = self._get(f"/api/v2/silence/{silence_id}")
        if not isinstance(item, dict):
            raise self._unexpected("/api/v2/silence", item)
        matchers = [_matcher_text(m) for m in item.get("matchers") or []]
        return Silence(
            silence_id, str(item.get("createdBy", "")), str(item.get("comment", "")), matchers
        )

    def _get(self, path: str) -> Any:
        url = self.base_url + path
        resp = monitoring_http.request(
            "Alertmanager", self.connection, "GET", path, timeout=self.timeout, retries=RETRIES
        )
        if resp.status != 200:
            raise InfrastructureError(
                f"{url} answered {resp.status}: {redaction.clip(resp.text, 200, '')!r}",
                hint=f"is {self.base_url} an Alertmanager?",
            )
        self.server_now = server_now(resp.headers)
        return resp.json()

    def _unexpected(self, path: str, payload: Any) -> InfrastructureError:
        return InfrastructureError(
            f"{self.base_url}{path}: not Alertmanager's answer: "
            f"{redaction.clip(str(payload), 200)}",
            hint=f"is {self.base_url} an Alertmanager (API v2)?",
        )


def _alert(item: dict[str, Any]) -> AmAlert:
    status = item.get("status") or {}
    starts = item.get("startsAt")
    stamp = parse_rfc3339(str(starts)) if starts else None
    return AmAlert(
        fingerprint=str(item.get("fingerprint", "")),
        labels={str(k): str(v) for k, v in (item.get("labels") or {}).items()},
        state=str(status.get("state", "")),
        receivers=[str(r.get("name", "")) for r in item.get("receivers") or []],
        silenced_by=[str(s) for s in status.get("silencedBy") or []],
        inhibited_by=[str(s) for s in status.get("inhibitedBy") or []],
        starts_at=stamp if stamp and stamp > 0 else None,
    )


def _matcher_text(raw: dict[str, Any]) -> str:
    regex, equal = bool(raw.get("isRegex")), raw.get("isEqual", True) is not False
    op = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
    return f'{raw.get("name")}{op[(regex, equal)]}"{raw.get("value")}"'
