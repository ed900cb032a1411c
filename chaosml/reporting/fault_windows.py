"""Observers that mark fault windows somewhere else (Pushgateway, Grafana): one dispatch.

A subclass says what to do when a fault is applied (``opened``) and when it is undone
(``closed``); failures to reach the backend are logged and never break the run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from chaosml.errors import ChaosMLError

log = logging.getLogger(__name__)


def event_fields(event: Any) -> Mapping[str, Any]:
    """The JSON fields of a journal event, whether a mapping or a model object."""
    if isinstance(event, Mapping):
        return event
    for method in ("to_json", "model_dump"):
        if callable(getattr(event, method, None)):
            fields = getattr(event, method)()
            if isinstance(fields, Mapping):
                return fields
    return {}


class FaultWindowObserver:
    """``on_event(event)`` (also callable) for the engine; one instance per run."""

    backend = "annotations"

    def __init__(self, url: str, experiment: str = "") -> None:
        self.url = url
        self.experiment = experiment

    def on_event(self, event: Any) -> None:
        fields = event_fields(event)
        kind = fields.get("event")
        try:
            if kind == "run.start":
                self.experiment = self.experiment or str(fields.get("title", ""))
            elif kind == "fault.applied":
                self.opened(fields)
            elif kind == "fault.reverted" and fields.get("ok"):
                self.closed(fields)
        except ChaosMLError as exc:
            log.warning("%s %s: %s (the run goes on)", self.backend, self.url, exc.message)

    def __call__(self, event: Any) -> None:
        self.on_event(event)

    def opened(self, fields: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def closed(self, fields: Mapping[str, Any]) -> None:
        raise NotImplementedError
