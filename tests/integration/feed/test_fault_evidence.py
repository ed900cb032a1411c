"""Every proxy, feed, process and telemetry fault's evidence, against the real thing: the real
proxy (in its own process) with real connections, real files, real local processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from chaosml.contract.context import DriverContext
from chaosml.contract.records import Evidence
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.feed_driver import FeedCorrupt
from chaosml.drivers.process_driver import ProcessKill, ProcessRun
from chaosml.drivers.proxy_driver import (
    ProxyBandwidth,
    ProxyHttpError,
    ProxyLatency,
    ProxyReset,
    ProxyTimeout,
)
from chaosml.drivers.telemetry_driver import TelemetryStop
from tests.fixtures.proxy_env import EchoServer, FeatureServer, ProxyProcess, wait_until


def ctx(step: str = "m0") -> DriverContext:
    return DriverContext(run_id="evidence", fault_id=step)


def through(driver: FaultDriver, raw: dict[str, Any], while_on: Any = None) -> Evidence:
    """Plan, apply, run ``while_on``, read the evidence (as the engine does), undo."""
    p = driver.params_model.model_validate(raw)
    c = ctx()
    record = driver.plan(p, c)
    driver.apply(p, c)
    try:
        found = driver.applied_evidence(p, c, record)
        if while_on is not None:
            while_on()
        if found is None and record is not None:
            found = driver.undo_evidence(record, c)
    finally:
        if record is not None:
            driver.undo(record, c)
    assert found is not None
    return found


def echo_through(port: int, payload: bytes = b"x" * 1000) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        got = b""
        while len(got) < len(payload):
            got += sock.recv(65536)


@pytest.fixture
def echo_proxy(proxy_process: ProxyProcess, echo_server: EchoServer) -> tuple[dict[str, str], int]:
    port = proxy_process.create("echo", echo_server.port)
    return {"api": proxy_process.api_url, "name": "echo"}, port


def test_latency_evidence_counts_connections_and_bytes(echo_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, port = echo_proxy
    raw = {"proxy": ref, "latency": "20ms"}
    found = through(ProxyLatency(), raw, lambda: echo_through(port))
    assert found.effect and found.counters == {"connections": 1, "bytes": 1000}
    assert found.summary == "latency: 1 connections affected, 1000 bytes through the toxic"


def test_latency_with_no_traffic_had_no_effect(echo_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, _ = echo_proxy
    found = through(ProxyLatency(), {"proxy": ref, "latency": "20ms"})
    assert not found.effect and found.summary.startswith("latency: 0 connections affected")


def test_bandwidth_both_directions_sum_their_toxics(echo_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, port = echo_proxy
    raw = {"proxy": ref, "rate": 1000, "direction": "both"}
    found = through(ProxyBandwidth(), raw, lambda: echo_through(port))
    assert found.effect and found.counters == {"connections": 2, "bytes": 2000}


@pytest.mark.parametrize("driver", [ProxyTimeout(), ProxyReset()], ids=["timeout", "reset"])
def test_timeout_and_reset_count_the_connections_they_held(echo_proxy, driver) -> None:  # type: ignore[no-untyped-def]
    ref, port = echo_proxy
    held: list[socket.socket] = []

    def open_one() -> None:
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except ConnectionResetError:
            return  # reset_peer 0s: reset as soon as the proxy accepted it
        time.sleep(0.1)  # the proxy accepts it and applies the toxic

    found = through(driver, {"proxy": ref, "timeout": "0s"}, open_one)
    for sock in held:
        sock.close()
    assert found.effect and found.counters["connections"] == 1


@pytest.fixture
def http_proxy(
    proxy_process: ProxyProcess, feature_server: FeatureServer
) -> tuple[dict[str, str], str]:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    return {"api": proxy_process.api_url, "name": "features"}, f"http://127.0.0.1:{port}"


def test_http_error_evidence_counts_answered_requests(http_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, base = http_proxy

    def three() -> None:
        for _ in range(3):
            assert requests.get(f"{base}/features", timeout=5).status_code == 503

    found = through(ProxyHttpError(), {"proxy": ref, "status": 503}, three)
    assert found.effect and found.summary == "3 of 3 requests answered with an error"


def test_feed_corrupt_proxy_evidence(http_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, base = http_proxy
    raw = {"proxy": ref, "mode": "null", "fields": ["$.records[*].age"], "seed": 1}
    found = through(FeedCorrupt(), raw, lambda: requests.get(f"{base}/features?n=10", timeout=5))
    assert (
        found.effect and found.summary == "1 responses, 1 JSON, 10 records, 10 changed (10 fields)"
    )


def test_feed_corrupt_file_evidence(tmp_path: Path) -> None:
    feed = tmp_path / "features.csv"
    feed.write_text("id,age\n" + "".join(f"{i},{20 + i}\n" for i in range(10)))
    raw = {"file": str(feed), "mode": "nan", "fields": ["age"], "percent": 100}
    found = through(FeedCorrupt(), raw)
    assert found.effect and found.counters["records_changed"] == 10
    assert found.summary.startswith("10 of 10 records changed (")
    assert feed.read_text().count("nan") == 0  # restored


def test_feed_corrupt_file_with_no_matching_field_has_no_effect(tmp_path: Path) -> None:
    feed = tmp_path / "features.jsonl"
    feed.write_text('{"id": 1, "age": 3}\n')
    found = through(FeedCorrupt(), {"file": str(feed), "mode": "nan", "fields": ["income"]})
    assert not found.effect and found.summary == "0 of 1 records changed (0 bytes rewritten)"


@pytest.fixture
def sleeper() -> Any:
    marker = f"chaosml-evidence-{time.monotonic_ns()}"
    code = f"import time, signal; signal.signal(signal.SIGHUP, lambda *a: None); time.sleep(60)  # {marker}"
    process = subprocess.Popen([sys.executable, "-c", code])
    assert wait_until(
        lambda: Path(f"/proc/{process.pid}/cmdline").read_bytes().find(marker.encode()) >= 0
    )
    time.sleep(0.2)  # the SIGHUP handler is installed
    yield process, marker
    process.kill()
    process.wait(timeout=5)


def test_process_kill_evidence_is_the_process_gone(sleeper) -> None:  # type: ignore[no-untyped-def]
    process, marker = sleeper
    found = through(ProcessKill(), {"pattern": marker, "signal": "SIGTERM"}, process.wait)
    assert (
        found.effect and found.summary == f"SIGTERM delivered to 1 process(es): {process.pid} gone"
    )


def test_process_kill_with_a_handled_signal_is_delivered(sleeper) -> None:  # type: ignore[no-untyped-def]
    process, marker = sleeper
    found = through(ProcessKill(), {"pattern": marker, "signal": "SIGHUP"})
    assert (
        found.effect
        and found.summary == f"SIGHUP delivered to 1 process(es): {process.pid} running"
    )
    assert process.poll() is None


def test_process_stop_signal_leaves_it_stopped(sleeper) -> None:  # type: ignore[no-untyped-def]
    process, marker = sleeper
    found = through(ProcessKill(), {"pattern": marker, "signal": "SIGSTOP"})
    assert found.effect and found.summary.endswith(f"{process.pid} stopped")


def test_process_run_evidence() -> None:
    found = through(ProcessRun(), {"command": ["true"]})
    assert found.effect and found.summary == "true exited 0"


def test_telemetry_stop_process_says_what_was_stopped(sleeper) -> None:  # type: ignore[no-untyped-def]
    process, marker = sleeper
    found = through(TelemetryStop(), {"mode": "process", "pattern": marker, "signal": "SIGKILL"})
    assert found.effect
    assert (
        found.summary
        == f"telemetry (process) stopped: SIGKILL delivered to 1 process(es): {process.pid} gone"
    )


def test_telemetry_stop_blackhole_counts_the_scrapes_it_emptied(http_proxy) -> None:  # type: ignore[no-untyped-def]
    ref, base = http_proxy
    scrape = lambda: requests.get(f"{base}/metrics", timeout=5)  # noqa: E731
    found = through(TelemetryStop(), {"mode": "blackhole", "proxy": ref}, scrape)
    assert found.effect and found.summary == "telemetry (blackhole) stopped: 1 requests blackholed"
