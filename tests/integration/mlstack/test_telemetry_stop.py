"""telemetry.stop against real things: the demo's exporter process, the chaosml proxy, Docker.

Each test applies the fault, checks what a scraper sees, then undoes it from the record's JSON
alone with a fresh driver (as ``chaosml rollback`` does in a new process), twice (idempotent).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.demo.stack import MODEL_SERVER, Stack
from chaosml.drivers.telemetry_driver import TelemetryStop, TelemetryStopParams
from chaosml.io.procfs import read_pid_file
from tests.fixtures.docker_env import ContainerFactory
from tests.fixtures.mlstack_env import http_json, wait_until
from tests.fixtures.proxy_env import ProxyProcess, start_proxy_process, stop_process


def replay(record: UndoRecord | None, ctx: DriverContext) -> None:
    """Undo as a new process would: from the JSON of the record, with a new driver, twice."""
    assert record is not None
    fresh = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    TelemetryStop().undo(fresh, ctx)
    TelemetryStop().undo(fresh, ctx)


def scrape(url: str) -> tuple[int, str] | None:
    """Status and body of a /metrics scrape, None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, resp.read().decode()
    except (urllib.error.URLError, OSError):
        return None


def test_process_mode_stops_the_exporter_and_the_undo_restarts_it(ml_stack: Stack) -> None:
    pid_file = ml_stack.services[MODEL_SERVER].pid_file
    params = TelemetryStopParams(
        mode="process", pid_file=str(pid_file), restart=ml_stack.command(MODEL_SERVER)
    )
    ctx = DriverContext(run_id="telemetry-process")
    driver = TelemetryStop()
    record = driver.plan(params, ctx)
    old_pid = read_pid_file(pid_file)
    driver.apply(params, ctx)
    metrics = f"{ml_stack.model_url}/metrics"
    wait_until(lambda: scrape(metrics) is None, 10, "the exporter gone")
    replay(record, ctx)
    wait_until(lambda: scrape(metrics), 15, "the exporter back")
    new_pid = read_pid_file(pid_file)
    assert new_pid not in (None, old_pid)
    replay(record, ctx)  # running again: the undo starts nothing more
    assert read_pid_file(pid_file) == new_pid


@pytest.fixture
def proxy() -> Iterator[ProxyProcess]:
    process = start_proxy_process()
    try:
        yield process
    finally:
        stop_process(process.process)


def test_blackhole_mode_empties_metrics_but_not_predictions(
    ml_stack: Stack, proxy: ProxyProcess
) -> None:
    port = proxy.create("model-metrics", ml_stack.services[MODEL_SERVER].port, protocol="http")
    via_proxy = f"http://127.0.0.1:{port}"
    params = TelemetryStopParams.model_validate(
        {"mode": "blackhole", "proxy": {"api": proxy.api_url, "name": "model-metrics"}}
    )
    ctx = DriverContext(run_id="telemetry-blackhole")
    record = TelemetryStop().plan(params, ctx)
    assert "model_requests_total" in scrape(f"{via_proxy}/metrics")[1]  # type: ignore[index]
    TelemetryStop().apply(params, ctx)
    assert scrape(f"{via_proxy}/metrics") == (200, "")
    status, _, body = http_json("POST", f"{via_proxy}/predict", {"entity_id": 1})
    assert status == 200 and 0 <= body["score"] <= 1
    replay(record, ctx)
    assert "model_requests_total" in scrape(f"{via_proxy}/metrics")[1]  # type: ignore[index]


def test_pause_mode_freezes_the_exporter_container(containers: ContainerFactory) -> None:
    exporter = containers.run()
    member = TargetMember(id=exporter.id, name=exporter.name)
    ctx = DriverContext(
        run_id="telemetry-pause",
        targets={"exporter": ResolvedTarget("exporter", "docker", (member,), matched=1)},
    )
    params = TelemetryStopParams(mode="pause", target="exporter")
    record = TelemetryStop().plan(params, ctx)
    TelemetryStop().apply(params, ctx)
    assert exporter.state() == "paused"
    assert scrape(exporter.url) is None
    replay(record, ctx)
    assert exporter.state() == "running"
    exporter.wait_answering()
