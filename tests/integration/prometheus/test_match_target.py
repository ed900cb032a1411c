"""Issue 20, causality in place: two exporters (two ``instance`` labels) behind one rule.

Each exporter is a container serving a static ``/metrics`` on its own published port; the
container carries ``chaosml.io/address=127.0.0.1:PORT``, the instance Prometheus scrapes it as,
so ``match_target: {instance: address}`` binds PairDown to the container the fault hit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chaosml.io import http_client
from chaosml.io.ports import free_port
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob
from tests.fixtures.docker_env import (  # noqa: F401  (fixtures)
    HTTP_SERVER,
    Container,
    ContainerFactory,
    containers,
    docker,
    docker_engine,
)
from tests.fixtures.prom_env import TEST_ENV
from tests.integration.prometheus.runner import run_chaosml, wait_until, write_experiment

pytestmark = [pytest.mark.prometheus, pytest.mark.docker, pytest.mark.slow]

RULES = {
    "groups": [
        {
            "name": "pair",
            "rules": [{"alert": "PairDown", "expr": 'up{job="pair"} == 0', "for": "0s"}],
        }
    ]
}


@dataclass
class Pair:
    app: str
    a: Container
    b: Container
    address: dict[str, str]  # container name → the instance label Prometheus gives it
    stack: MonitoringStack

    def firing_instances(self) -> set[str]:
        url = self.stack.prometheus_url + "/api/v1/alerts"
        alerts = http_client.request("GET", url, timeout=5.0).json()["data"]["alerts"]
        return {
            a["labels"]["instance"]
            for a in alerts
            if a["labels"].get("alertname") == "PairDown" and a["state"] == "firing"
        }


def _exporter(factory: ContainerFactory, app: str, suffix: str, www: Path) -> tuple[Container, str]:
    port = free_port()
    address = f"127.0.0.1:{port}"
    labels = {"app": app, "chaosml.io/allow": "true", "chaosml.io/address": address}
    extra = ["-p", f"{address}:8000", "-v", f"{www}:/www:ro", "-w", "/www"]
    container = factory.run(
        f"chaosml-test-{app}-{suffix}", labels=labels, command=HTTP_SERVER, http=False, extra=extra
    )
    return container, address


@pytest.fixture
def pair(containers: ContainerFactory, prom_binaries: None, tmp_path: Path) -> Iterator[Pair]:  # noqa: F811
    www = tmp_path / "www"
    www.mkdir()
    (www / "metrics").write_text("pair_exporter_info 1\n")
    app = f"pair-{uuid.uuid4().hex[:6]}"
    a, address_a = _exporter(containers, app, "a", www)
    b, address_b = _exporter(containers, app, "b", www)
    stack = MonitoringStack(
        jobs=[ScrapeJob("pair", [address_a, address_b])],
        rules=RULES,
        with_pushgateway=False,
        extra_env=TEST_ENV,
    )
    with stack:
        found = Pair(app, a, b, {a.name: address_a, b.name: address_b}, stack)
        wait_until(lambda: _both_up(stack), 30, "both exporters scraped up")
        yield found


def _both_up(stack: MonitoringStack) -> bool:
    url = stack.prometheus_url + "/api/v1/query?query=sum(up%7Bjob%3D%22pair%22%7D)"
    result = http_client.request("GET", url, timeout=5.0).json()["data"]["result"]
    return bool(result) and float(result[0]["value"][1]) == 2


def _experiment(tmp_path: Path, pair: Pair, fault: str, match: bool, within: str) -> Path:
    bind = "\n      match_target: {instance: address}\n      target: a" if match else ""
    return write_experiment(
        tmp_path,
        f"""
version: 1
title: PairDown for the exporter the fault hit, not the other one
blast_radius:
  environments: [test]
  max_duration: 2m
  targets:
    a:
      docker: {{labels: {{app: {pair.app}}}, name: "-a$"}}
method:
  - {fault}
  - expect_alert:
      name: PairDown
      source: {{prometheus: "{pair.stack.prometheus_url}"}}
      fires_within: {within}{bind}
""",
    )


def test_killing_one_exporter_counts_only_that_instances_alert(pair: Pair, tmp_path: Path) -> None:
    kill_a = "fault: docker.kill\n    target: a\n    signal: SIGKILL"
    result = run_chaosml(_experiment(tmp_path, pair, kill_a, True, "20s"), tmp_path)
    assert result.exit_code == 0, result.output
    fired = result.one("alert.fired")
    assert fired["labels"]["instance"] == pair.address[pair.a.name]
    assert fired["proven"] is True and fired["time_to_detect_s"] >= 0
    assert pair.b.state() == "running" and pair.a.state() == "running"  # the undo started a


def test_the_other_exporter_down_does_not_count_for_the_faulted_one(
    pair: Pair, tmp_path: Path
) -> None:
    docker("kill", pair.b.name)
    address_b = pair.address[pair.b.name]
    wait_until(lambda: address_b in pair.firing_instances(), 30, "PairDown for b firing")
    harmless = "fault: process.run\n    command: ['true']"
    result = run_chaosml(_experiment(tmp_path, pair, harmless, True, "4s"), tmp_path)
    assert result.exit_code == 1, result.output  # b's alert is no detection of a's fault
    assert result.of("alert.fired") == []
    [failed] = [e for e in result.of("probe.result") if e["kind"] == "expect_alert"]
    assert f"instance='{address_b}'" in failed["reason"] and "on another target" in failed["reason"]
    # without match_target, b's alert makes the steady state fail: nothing is injected
    unbound = run_chaosml(_experiment(tmp_path, pair, harmless, False, "4s"), tmp_path)
    assert unbound.exit_code == 3, unbound.output
    assert unbound.of("fault.applied") == []
    assert address_b in unbound.one("run.end")["reason"]
