"""The engine starts an experiment's ``proxies:`` with the starter its caller injects
(``RunOptions.start_proxy``): it never imports the proxy server itself (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from chaosml.engine.outcome import Status
from chaosml.exit_codes import ExitCode
from tests.unit.engine.conftest import RunFn, kinds

EXPERIMENT = """
version: 1
title: t
proxies:
  - name: db
    listen: 127.0.0.1:0
    upstream: 127.0.0.1:5432
method:
  - fault: fake.fault
"""


@dataclass
class RecordedProxy:
    listen: str
    api_url: str
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


class RecordingStarter:
    def __init__(self) -> None:
        self.started: list[tuple[str, str, str, str, RecordedProxy]] = []

    def __call__(
        self, listen: str, upstream: str, protocol: str = "tcp", *, name: str = "ephemeral"
    ) -> RecordedProxy:
        proxy = RecordedProxy("127.0.0.1:40001", "http://127.0.0.1:40002")
        self.started.append((listen, upstream, protocol, name, proxy))
        return proxy


def test_the_injected_starter_starts_the_proxy_and_the_run_stops_it(run: RunFn) -> None:
    starter = RecordingStarter()
    outcome, events = run(EXPERIMENT, start_proxy=starter)
    assert outcome.exit_code == ExitCode.OK
    [(listen, upstream, protocol, name, proxy)] = starter.started
    assert (listen, upstream, protocol, name) == ("127.0.0.1:0", "127.0.0.1:5432", "tcp", "db")
    [started] = kinds(events, "proxy.started")
    assert (started["listen"], started["api"]) == ("127.0.0.1:40001", "http://127.0.0.1:40002")
    assert proxy.stopped


def test_a_runner_without_a_starter_refuses_an_experiment_with_proxies(run: RunFn) -> None:
    outcome, _ = run(EXPERIMENT)
    assert outcome.status != Status.COMPLETED
    assert "cannot start the experiment's proxies" in (outcome.reason or "")
