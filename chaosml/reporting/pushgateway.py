"""An observer that tells Prometheus which faults are active, through a Pushgateway.

On ``fault.applied`` it pushes ``chaosml_fault_active{experiment,fault,target} 1`` under the
grouping key ``job=chaosml, run_id, undo_id``; on a successful ``fault.reverted`` it deletes
that group, so the series exists exactly while the fault is in place. Dashboards shade fault
windows with it and alert rules can tell a drill from an incident::

    ALERTS{alertname="ModelServerDown"} unless on() chaosml_fault_active == 1

A fault whose undo fails stays pushed: it may still be in place. Deletion is addressed by run id
and undo id alone, so an observer in ``chaosml rollback`` (a new process) removes it as well.
Failures to reach the Pushgateway are logged and never break the run (observer habit #8).
"""

from __future__ import annotations

import base64
import logging

from chaosml import redaction
from chaosml.contract.connection import Connection, as_connection
from chaosml.io import monitoring_http
from chaosml.journal.events import FaultApplied, FaultReverted
from chaosml.reporting.fault_windows import FaultWindowObserver

log = logging.getLogger(__name__)

METRIC = "chaosml_fault_active"
JOB = "chaosml"


def exposition(experiment: str, fault: str, target: str) -> str:
    """The text-format body for one active fault."""
    labels = ",".join(
        f'{k}="{_escape(v)}"'
        for k, v in (("experiment", experiment), ("fault", fault), ("target", target))
    )
    return f"# TYPE {METRIC} gauge\n{METRIC}{{{labels}}} 1\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def group_path(base_url: str, run_id: str, undo_id: str) -> str:
    """The Pushgateway URL of one fault's group (label values base64url-encoded)."""
    return base_url.rstrip("/") + group_key(run_id, undo_id)


def group_key(run_id: str, undo_id: str) -> str:
    """The path of one fault's group under the Pushgateway's base URL."""
    parts = [f"job/{JOB}"]
    for name, value in (("run_id", run_id), ("undo_id", undo_id)):
        encoded = base64.urlsafe_b64encode(value.encode()).decode() or "="
        parts.append(f"{name}@base64/{encoded}")
    return "/metrics/" + "/".join(parts)


class PushgatewayObserver(FaultWindowObserver):
    """Pushes a fault's series when it is applied, deletes it when it is undone."""

    backend = "pushgateway"

    def __init__(
        self, url: str | Connection, *, timeout: float = 2.0, experiment: str = ""
    ) -> None:
        self.connection = as_connection(url)  # auth, headers, TLS: docs/monitoring-sources.md
        super().__init__(self.connection.base_url, experiment)
        self.timeout = timeout
        self.pushed: dict[str, str] = {}  # undo_id -> group URL

    def opened(self, event: FaultApplied) -> None:
        self._push(event)

    def closed(self, event: FaultReverted) -> None:
        self._delete(event.run_id or "", event.undo_id)

    def _push(self, event: FaultApplied) -> None:
        undo_id = event.undo_id
        if not undo_id:
            return  # a fault with no undo is a moment, not a window
        path = group_key(event.run_id or "", undo_id)
        body = exposition(self.experiment, event.fault or "", event.target or "")
        self._send("PUT", path, body)
        self.pushed[undo_id] = self.url + path

    def _delete(self, run_id: str, undo_id: str) -> None:
        """Deleting by the group's key, not from memory: works from ``chaosml rollback`` too."""
        self.pushed.pop(undo_id, None)
        self._send("DELETE", group_key(run_id, undo_id), None)

    def _send(self, method: str, path: str, body: str | None) -> None:
        response = monitoring_http.request(
            "Pushgateway", self.connection, method, path, body=body, timeout=self.timeout, retries=1
        )
        if response.status >= 300:
            log.warning(
                "pushgateway %s %s answered %s: %s",
                method,
                self.url + path,
                response.status,
                redaction.clip(response.text, 200),
            )
