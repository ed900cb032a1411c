"""Global stop conditions (``chaosml.toml``): alerts that stop every run and game day while
they fire, whatever the experiment's own guards say (docs/safety.md).

Each condition is a halt source: ``read()`` asks its Alertmanager for the active alerts
(neither silenced nor inhibited) whose labels match every matcher. The alerts the experiment
itself expects (``expect_alert``, ``recovery.alerts_resolve``) are left out, so a drill does
not stop itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chaosml import redaction
from chaosml.config_file import StopCondition
from chaosml.errors import ChaosMLError, InputError
from chaosml.halt.record import HaltRecord
from chaosml.halt.sources import SourceUnreachable
from chaosml.io import http_client

if TYPE_CHECKING:  # the model is loaded with an experiment; `chaosml halt` needs none
    from chaosml.model import experiment as m

READ_TIMEOUT_S = 1.0
ACTIVE_ONLY = {"active": "true", "silenced": "false", "inhibited": "false"}


@dataclass
class AlertStopCondition:
    condition: StopCondition
    excluded: frozenset[str] = frozenset()  # the experiment's own alert names
    scope: str = "stop-condition"
    local: bool = False

    @property
    def by(self) -> str:
        return f"stop-condition:{self.condition.name}"

    @property
    def where(self) -> str:
        matchers = ",".join(f'{k}="{v}"' for k, v in sorted(self.condition.matchers.items()))
        return f"{redaction.url_without_password(self.condition.alertmanager)} {{{matchers}}}"

    def read(self) -> HaltRecord | None:
        for alert in self._alerts():
            labels = {str(k): str(v) for k, v in (alert.get("labels") or {}).items()}
            if self._matches(labels):
                return self._record(labels, alert)
        return None

    def set(self, record: HaltRecord) -> None:
        raise InputError("a stop condition is set by its alert firing, not by chaosml halt")

    def clear(self) -> bool:
        raise InputError("a stop condition clears when its alert resolves")

    def _matches(self, labels: dict[str, str]) -> bool:
        if labels.get("alertname") in self.excluded:
            return False
        return all(labels.get(k) == v for k, v in self.condition.matchers.items())

    def _record(self, labels: dict[str, str], alert: dict[str, Any]) -> HaltRecord:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        return HaltRecord(
            reason=f"alert {labels.get('alertname', '?')} is firing ({shown}); "
            f"stop condition '{self.condition.name}'",
            host=redaction.url_without_password(self.condition.alertmanager),
            at=str(alert.get("startsAt") or ""),
        )

    def _alerts(self) -> list[dict[str, Any]]:
        base = self.condition.alertmanager.rstrip("/")
        query = "&".join(f"{k}={v}" for k, v in ACTIVE_ONLY.items())
        try:
            response = http_client.request(
                "GET", f"{base}/api/v2/alerts?{query}", timeout=READ_TIMEOUT_S
            )
        except ChaosMLError as exc:
            raise SourceUnreachable(
                f"stop condition '{self.condition.name}': {exc.message}"
            ) from exc
        body = response.json()
        if response.status != 200 or not isinstance(body, list):
            raise SourceUnreachable(
                f"stop condition '{self.condition.name}': {self.where} answered "
                f"HTTP {response.status} without a list of alerts"
            )
        return [alert for alert in body if isinstance(alert, dict)]


def own_alerts(experiment: m.Experiment | None) -> frozenset[str]:
    """The alert names the experiment expects to fire (never a reason to stop it)."""
    if experiment is None:
        return frozenset()
    from chaosml.model.experiment import ExpectAlertStep

    names = {s.expect_alert.name for s in experiment.method if isinstance(s, ExpectAlertStep)}
    recovery = experiment.recovery
    if recovery is not None:
        names.update(alert.name for alert in recovery.alerts_resolve)
    return frozenset(names)


def stop_sources(
    conditions: list[StopCondition], experiment: m.Experiment | None
) -> list[AlertStopCondition]:
    excluded = own_alerts(experiment)
    return [AlertStopCondition(condition, excluded) for condition in conditions]
