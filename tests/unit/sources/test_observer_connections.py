"""The Pushgateway and Grafana observers speak through a connection block: a source of the
experiment named by the environment variable, or called ``pushgateway``/``grafana`` (issue 24).
A loopback server records what each request carried."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import ClassVar

import pytest

from chaosml import redaction
from chaosml.contract.connection import Connection
from chaosml.journal.parse import parse_event
from chaosml.reporting.annotations import annotation_observers
from chaosml.reporting.grafana import GrafanaAnnotator
from chaosml.reporting.pushgateway import PushgatewayObserver
from tests.fixtures.http_servers import QuietHandler, serving

APPLIED = parse_event(
    {"event": "fault.applied", "run_id": "r1", "undo_id": "u1", "fault": "docker.kill", "step": 0}
)
PASSWORD = "push-pw-7788"


class Recorder(QuietHandler):
    """Answers 401 without the right Basic credential; records method, path and headers."""

    seen: ClassVar[list[tuple[str, str, dict[str, str]]]] = []
    expected_auth: ClassVar[str] = ""

    def _handle(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append((self.command, self.path, dict(self.headers.items())))
        ok = self.headers.get("Authorization", "") == self.expected_auth
        self.reply_json(200 if ok else 401, {"id": 1} if ok else {"message": "unauthorized"})

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET = _handle


@pytest.fixture
def recorder() -> Iterator[str]:
    import base64

    Recorder.seen = []
    Recorder.expected_auth = "Basic " + base64.b64encode(f"chaos:{PASSWORD}".encode()).decode()
    with serving(Recorder) as url:
        yield url


def source(url: str, password: str = PASSWORD) -> Connection:
    return Connection.model_validate(
        {
            "url": url,
            "auth": {"basic": {"username": "chaos", "password": password}},
            "headers": {"X-Scope-OrgID": "ml-team"},
            "path_prefix": "/pg",
        }
    )


def test_a_source_called_pushgateway_is_used_with_its_auth_headers_and_prefix(
    recorder: str,
) -> None:
    [observer] = annotation_observers({}, sources={"pushgateway": source(recorder)})
    assert isinstance(observer, PushgatewayObserver)
    observer(APPLIED)
    [(method, path, headers)] = Recorder.seen
    assert (method, path.split("/run_id")[0]) == ("PUT", "/pg/metrics/job/chaosml")
    assert headers["X-Scope-OrgID"] == "ml-team"
    assert headers["Authorization"] == Recorder.expected_auth


def test_the_environment_variable_may_name_a_source(recorder: str) -> None:
    observers = annotation_observers(
        {"CHAOSML_GRAFANA_URL": "staging-grafana"},
        sources={"staging-grafana": source(recorder)},
    )
    [annotator] = observers
    assert isinstance(annotator, GrafanaAnnotator)
    annotator(APPLIED)
    [(method, path, headers)] = Recorder.seen
    assert (method, path) == ("POST", "/pg/api/annotations")
    assert headers["Authorization"] == Recorder.expected_auth


def test_a_name_that_is_no_source_is_said_and_breaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``chaosml rollback`` knows no experiment's sources: a name must not stop it."""
    assert annotation_observers({"CHAOSML_PUSHGATEWAY_URL": "nowhere"}, sources={}) == []
    assert "no pushgateway annotations: 'nowhere' is neither an http(s) URL" in caplog.text


def test_refused_credentials_are_logged_without_the_password_and_the_run_goes_on(
    recorder: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-push-pw-99"
    redaction.remember([wrong])  # as the loader does for every connection block's password
    caplog.set_level(logging.WARNING)
    PushgatewayObserver(source(recorder, wrong))(APPLIED)
    assert "refused the credentials (401)" in caplog.text
    assert "the run goes on" in caplog.text
    assert wrong not in caplog.text


def test_a_bare_url_and_token_still_work(recorder: str) -> None:
    Recorder.expected_auth = "Bearer grafana-token-1"
    annotation_observers(
        {"CHAOSML_GRAFANA_URL": recorder, "CHAOSML_GRAFANA_TOKEN": "grafana-token-1"}
    )[0](APPLIED)
    assert [h["Authorization"] for _, _, h in Recorder.seen] == ["Bearer grafana-token-1"]
