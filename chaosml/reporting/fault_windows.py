"""Observers that mark fault windows somewhere else (Pushgateway, Grafana): one dispatch.

A subclass says what to do when a fault is applied (``opened``) and when it is undone
(``closed``); failures to reach the backend are logged and never break the run.
"""

from __future__ import annotations

import logging

from chaosml.errors import ChaosMLError
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import FaultApplied, FaultReverted, RunStarted

log = logging.getLogger(__name__)


class FaultWindowObserver:
    """``on_event(event)`` (also callable) for the engine; one instance per run."""

    backend = "annotations"

    def __init__(self, url: str, experiment: str = "") -> None:
        self.url = url
        self.experiment = experiment

    def on_event(self, event: JournalEvent) -> None:
        try:
            if isinstance(event, RunStarted):
                self.experiment = self.experiment or event.title
            elif isinstance(event, FaultApplied):
                self.opened(event)
            elif isinstance(event, FaultReverted) and event.ok:
                self.closed(event)
        except ChaosMLError as exc:
            log.warning("%s %s: %s (the run goes on)", self.backend, self.url, exc.message)

    def __call__(self, event: JournalEvent) -> None:
        self.on_event(event)

    def opened(self, event: FaultApplied) -> None:
        raise NotImplementedError

    def closed(self, event: FaultReverted) -> None:
        raise NotImplementedError
