"""expect_notification's webhook sink in a run, through the shipped fakes: it listens from before
the fault, counts what Alertmanager posts (secrets masked in the journal), and stops with the
run — on success, signals and the halt switch — so that nothing stays listening (issue 19)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import RunOutcome
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.io.ports import free_port
from chaosml.loader import load_text
from chaosml.testing import FakeClock, FakeRegistry
from tests.unit.notify.payloads import encoded

Event = dict[str, Any]
SECRET = "tok-8c1f2e"


def _experiment(port: int, within: str = "20s") -> str:
    return textwrap.dedent(
        f"""
        version: 1
        title: the page reaches ml-oncall
        secrets: {{token: "${{env:NOTIFY_TOKEN}}"}}
        method:
          - fault: fake.fault
            id: a
          - expect_notification:
              alert: ModelServerDown
              receiver: ml-oncall
              source: {{alertmanager: "http://127.0.0.1:9"}}
              listen: "127.0.0.1:{port}"
              within: {within}
              labels: {{severity: page}}
              annotations: [runbook_url]
        """
    )


def _run(
    tmp_path: Path, fakes: FakeRegistry, port: int, on_event: Callable[[Event], None], **kw: Any
) -> tuple[RunOutcome, list[Event]]:
    loaded = load_text(
        _experiment(port, **kw), "exp.yaml", registry=fakes, environ={"NOTIFY_TOKEN": SECRET}
    )
    journal = tmp_path / "journal.jsonl"
    options = RunOptions(journal_path=journal, halt_file=tmp_path / "HALT")
    outcome = run_experiment(
        loaded, options, observers=[on_event], registry=fakes, clock=FakeClock(20.0)
    )
    return outcome, [json.loads(line) for line in journal.read_text().splitlines()]


def _post(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/hook", body=body)
        return conn.getresponse().status
    finally:
        conn.close()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _on(kind: str, act: Callable[[], None]) -> Callable[[Event], None]:
    def observer(event: Event) -> None:
        if event["event"] == kind:
            act()

    return observer


def _sink_stopped_before_end(events: list[Event]) -> bool:
    kinds = [e["event"] for e in events]
    return "notify.sink_stopped" in kinds and kinds.index("notify.sink_stopped") < kinds.index(
        "run.end"
    )


def test_a_notification_posted_after_the_fault_passes_with_a_time_to_notify(
    tmp_path: Path, fakes: FakeRegistry
) -> None:
    port = free_port()
    annotations = {"runbook_url": "https://runbooks/x", "summary": f"token {SECRET}"}
    answers: list[int] = []
    post = _on(
        "fault.applied", lambda: answers.append(_post(port, encoded(annotations=annotations)))
    )
    outcome, events = _run(tmp_path, fakes, port, post)
    assert outcome.exit_code == ExitCode.OK, outcome.reason
    assert answers == [200]
    [verdict] = [e for e in events if e["event"] == "notification.result"]
    assert verdict["notified"] and verdict["delivery_observed"]
    assert 0 <= verdict["time_to_notify_s"] < 2
    [received] = [e for e in events if e["event"] == "notification.received"]
    assert received["alerts"][0]["annotations"]["summary"] == "token ***"
    assert SECRET not in (tmp_path / "journal.jsonl").read_text()
    assert _sink_stopped_before_end(events) and not _listening(port)


def test_a_notification_lacking_a_required_annotation_deviates_naming_it(
    tmp_path: Path, fakes: FakeRegistry
) -> None:
    port = free_port()
    post = _on("fault.applied", lambda: _post(port, encoded(annotations={"summary": "x"})))
    outcome, _ = _run(tmp_path, fakes, port, post, within="2s")
    assert outcome.exit_code == ExitCode.DEVIATED
    assert outcome.reason == (
        "the notification of ModelServerDown to ml-oncall lacks annotation runbook_url"
    )


def test_an_incomplete_notification_followed_by_a_complete_one_passes(
    tmp_path: Path, fakes: FakeRegistry
) -> None:
    port = free_port()

    def post_both() -> None:
        _post(port, encoded(annotations={"summary": "x"}))
        _post(port, encoded())

    outcome, events = _run(tmp_path, fakes, port, _on("fault.applied", post_both))
    assert outcome.exit_code == ExitCode.OK, outcome.reason
    [verdict] = [e for e in events if e["event"] == "notification.result"]
    assert verdict["alert_seen"]["annotations"]["runbook_url"] == "https://runbooks/model"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_waiting_stops_the_sink_before_the_run_ends(
    tmp_path: Path, fakes: FakeRegistry, sig: signal.Signals
) -> None:
    port = free_port()
    seen: list[bool] = []

    def observer(event: Event) -> None:
        if event["event"] == "fault.applied":
            seen.append(_listening(port))
            os.kill(os.getpid(), sig)

    outcome, events = _run(tmp_path, fakes, port, observer, within="1h")
    assert outcome.exit_code == ExitCode.INTERRUPTED
    assert seen == [True]  # listening before the fault
    assert _sink_stopped_before_end(events) and not _listening(port)
    assert fakes.world.active == set()


def test_the_halt_switch_while_waiting_stops_the_sink(tmp_path: Path, fakes: FakeRegistry) -> None:
    port = free_port()
    halt = _on("fault.applied", lambda: (tmp_path / "HALT").write_text("stop\n"))
    outcome, events = _run(tmp_path, fakes, port, halt, within="1h")
    assert outcome.exit_code == ExitCode.ABORTED and outcome.ended_by == "halt"
    assert _sink_stopped_before_end(events) and not _listening(port)


def test_a_sink_that_cannot_listen_fails_the_run_before_any_fault(
    tmp_path: Path, fakes: FakeRegistry
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome, _ = _run(tmp_path, fakes, port, lambda e: None)
    assert outcome.exit_code == ExitCode.TOOL_ERROR
    assert f"cannot listen on 127.0.0.1:{port}" in outcome.reason
    assert fakes.world.log == []
