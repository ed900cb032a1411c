"""Alertmanager's webhook format version 4, parsed and checked (issue 19)."""

from __future__ import annotations

import pytest

from chaosml.notify import webhook
from tests.unit.notify.payloads import encoded


def test_a_version_4_body_becomes_a_notification_with_its_alerts() -> None:
    note = webhook.parse(encoded(), received_at=12.5, path="/ml")
    assert (note.receiver, note.status, note.path, note.received_at) == (
        "ml-oncall",
        "firing",
        "/ml",
        12.5,
    )
    [alert] = note.firing("ModelServerDown", {"severity": "page"})
    assert alert.annotations["runbook_url"] == "https://runbooks/model"
    assert note.firing("ModelServerDown", {"severity": "info"}) == []


def test_credentials_in_urls_are_not_kept() -> None:
    note = webhook.parse(encoded(), 0.0)
    assert note.external_url == "http://***@alertmanager:9093"
    assert "hunter2" not in str(note.to_json())


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (encoded(version="3"), "version '3', expected '4'"),
        (b'{"version": "4", "status": "firing", "alerts": []}', "receiver missing"),
        (b'{"version": "4", "receiver": "r", "status": "firing"}', "alerts missing"),
        (b'{"version": "4", "receiver": "r", "status": "firing", "alerts": [1]}', "not an object"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_a_body_that_is_not_the_format_is_refused_saying_why(body: bytes, why: str) -> None:
    with pytest.raises(webhook.BadPayload, match=why):
        webhook.parse(body, 0.0)


def test_missing_names_the_labels_and_annotations_a_notification_lacks() -> None:
    [alert] = webhook.parse(encoded(annotations={"summary": "x"}), 0.0).alerts
    lacking = webhook.missing(alert, {"severity": "page", "team": "ml"}, ["summary", "runbook_url"])
    assert lacking == ["label team=ml", "annotation runbook_url"]
