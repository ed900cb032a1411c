"""The Grafana annotator against a small in-memory stand-in for Grafana's annotations API,
served on a real loopback socket (Grafana itself is not packaged for Debian)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from chaosml.journal.parse import parse_event
from chaosml.reporting.annotations import annotation_observers
from chaosml.reporting.grafana import GrafanaAnnotator
from chaosml.reporting.pushgateway import PushgatewayObserver
from tests.fixtures.http_servers import QuietHandler, serving


class FakeGrafana(QuietHandler):
    annotations: dict[int, dict[str, Any]] = {}
    auth: list[str] = []

    def _body(self) -> Any:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def do_POST(self) -> None:
        self.auth.append(self.headers.get("Authorization", ""))
        new_id = len(self.annotations) + 1
        self.annotations[new_id] = {"id": new_id, **self._body()}
        self.reply_json(200, {"message": "Annotation added", "id": new_id})

    def do_PATCH(self) -> None:
        found = self.annotations.get(int(self.path.rsplit("/", 1)[1]))
        if found is None:
            self.reply_json(404, {"message": "not found"})
            return
        found.update(self._body())
        self.reply_json(200, {"message": "Annotation patched"})

    def do_GET(self) -> None:
        wanted = set(parse_qs(urlparse(self.path).query).get("tags", []))
        hits = [a for a in self.annotations.values() if wanted <= set(a["tags"])]
        self.reply_json(200, hits[:1])


@pytest.fixture
def grafana() -> Iterator[str]:
    FakeGrafana.annotations = {}
    FakeGrafana.auth = []
    with serving(FakeGrafana) as url:
        yield url


APPLIED = parse_event(
    {
        "event": "fault.applied",
        "run_id": "r1",
        "undo_id": "u1",
        "fault": "docker.kill",
        "target": "model",
        "description": "kill model-server-1",
        "wall": 1000.5,
    }
)
REVERTED = parse_event(
    {"event": "fault.reverted", "run_id": "r1", "undo_id": "u1", "ok": True, "wall": 1012.0}
)


def test_fault_window_becomes_a_region(grafana: str) -> None:
    annotator = GrafanaAnnotator(grafana, "secret-token")
    annotator(parse_event({"event": "run.start", "run_id": "r1", "title": "Kill the model"}))
    annotator(APPLIED)
    annotator(REVERTED)
    (note,) = FakeGrafana.annotations.values()
    assert (note["time"], note["timeEnd"]) == (1000500, 1012000)
    assert note["tags"] == ["chaosml", "docker.kill", "run_id:r1", "undo_id:u1", "target:model"]
    assert note["text"] == "chaosml: Kill the model: kill model-server-1"
    assert FakeGrafana.auth == ["Bearer secret-token"]


def test_a_revert_from_another_process_finds_the_annotation_by_tags(grafana: str) -> None:
    GrafanaAnnotator(grafana)(APPLIED)
    GrafanaAnnotator(grafana)(REVERTED)  # chaosml rollback: a fresh observer
    (note,) = FakeGrafana.annotations.values()
    assert note["timeEnd"] == 1012000


def test_failed_undo_leaves_the_region_open(grafana: str) -> None:
    annotator = GrafanaAnnotator(grafana)
    annotator(APPLIED)
    annotator(REVERTED.model_copy(update={"ok": False}))
    (note,) = FakeGrafana.annotations.values()
    assert "timeEnd" not in note


def test_unreachable_grafana_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    GrafanaAnnotator("http://127.0.0.1:9", timeout=0.5)(APPLIED)
    assert "the run goes on" in caplog.text


def test_observers_from_the_environment() -> None:
    assert annotation_observers({}) == []
    both = annotation_observers(
        {"CHAOSML_PUSHGATEWAY_URL": "http://127.0.0.1:1", "CHAOSML_GRAFANA_URL": "http://g"}
    )
    assert [type(o) for o in both] == [PushgatewayObserver, GrafanaAnnotator]
