"""An observer that marks fault windows as Grafana annotations, over Grafana's HTTP API.

On ``fault.applied`` it creates an annotation (``POST /api/annotations``) at the fault's time,
tagged ``chaosml``, the fault kind, ``run_id:<id>`` and ``undo_id:<id>``; on a successful
``fault.reverted`` it gives the annotation its end (``PATCH /api/annotations/<id>``), turning
it into a shaded region. The annotation is found again by its tags when the revert comes from
another process (``chaosml rollback``). Failures are logged and never break the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from chaosml.contract.connection import Auth, Connection, as_connection
from chaosml.io import monitoring_http
from chaosml.journal.events import FaultApplied, FaultReverted
from chaosml.reporting.fault_windows import FaultWindowObserver

log = logging.getLogger(__name__)


class GrafanaAnnotator(FaultWindowObserver):
    """Creates an annotation when a fault is applied and gives it its end when it is undone."""

    backend = "grafana"

    def __init__(
        self,
        url: str | Connection,
        token: str | None = None,
        *,
        timeout: float = 3.0,
        experiment: str = "",
    ) -> None:
        conn = as_connection(url)  # auth, headers, TLS: docs/monitoring-sources.md
        if token and conn.auth is None:
            conn = conn.model_copy(update={"auth": Auth(bearer=token)})
        self.connection = conn
        super().__init__(conn.base_url, experiment)
        self.timeout = timeout
        self.ids: dict[str, int] = {}  # undo_id -> annotation id

    def opened(self, event: FaultApplied) -> None:
        self._create(event)

    def closed(self, event: FaultReverted) -> None:
        self._close(event)

    def _create(self, event: FaultApplied) -> None:
        undo_id = event.undo_id
        what = event.description or event.fault
        body = {
            "time": _ms(event.wall),
            "tags": _tags(event),
            "text": f"chaosml: {self.experiment}: {what}",
        }
        answer = self._send("POST", "/api/annotations", body)
        if undo_id and isinstance(answer, Mapping) and isinstance(answer.get("id"), int):
            self.ids[undo_id] = int(answer["id"])

    def _close(self, event: FaultReverted) -> None:
        undo_id = event.undo_id
        found = self.ids.pop(undo_id, None) or self._find(str(event.run_id), undo_id)
        if found is None:
            return
        self._send("PATCH", f"/api/annotations/{found}", {"timeEnd": _ms(event.wall)})

    def _find(self, run_id: str, undo_id: str) -> int | None:
        query = urlencode(
            [("tags", f"run_id:{run_id}"), ("tags", f"undo_id:{undo_id}"), ("limit", "1")]
        )
        answer = self._send("GET", f"/api/annotations?{query}", None)
        if isinstance(answer, list) and answer and isinstance(answer[0].get("id"), int):
            return int(answer[0]["id"])
        return None

    def _send(self, method: str, path: str, body: Any) -> Any:
        response = monitoring_http.request(
            "Grafana", self.connection, method, path, json=body, timeout=self.timeout
        )
        if response.status >= 300:
            log.warning("grafana %s %s answered %s", method, path, response.status)
            return None
        return response.json()


def _tags(event: FaultApplied) -> list[str]:
    tags = ["chaosml", event.fault, f"run_id:{event.run_id or ''}"]
    if event.undo_id:
        tags.append(f"undo_id:{event.undo_id}")
    if event.target:
        tags.append(f"target:{event.target}")
    return tags


def _ms(wall: float | None) -> int:
    return int((time.time() if wall is None else wall) * 1000)
