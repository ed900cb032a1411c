"""The proxy faults against the real proxy: apply, measure, undo exactly, fail fast."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.feed_driver import FeedCorrupt, FeedCorruptParams
from chaosml.drivers.proxy_driver import (
    HttpErrorParams,
    LatencyParams,
    ProxyHttpError,
    ProxyLatency,
    ProxyRef,
)
from chaosml.errors import DriverError, InfrastructureError
from tests.fixtures.proxy_env import EchoServer, FeatureServer, ProxyProcess
from tests.integration.proxy.test_tcp_toxics import connect, median_rtt

CTX = DriverContext(run_id="r42")


def toxic_names(proxy: ProxyProcess, name: str) -> list[str]:
    return [
        t["name"] for t in requests.get(f"{proxy.api_url}/proxies/{name}/toxics", timeout=5).json()
    ]


def test_latency_fault_applies_and_undo_removes_exactly_its_toxic(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    sock = connect(proxy_process.create("echo", echo_server.port))
    proxy_process.add_toxic("echo", {"name": "someone-else", "type": "latency", "toxicity": 0.0})
    params = LatencyParams(proxy=ProxyRef(api=proxy_process.api_url, name="echo"), latency="150ms")
    driver = ProxyLatency()
    record = driver.plan(params, CTX)
    assert record.data["toxics"][0].startswith("chaosml-r42-")
    driver.apply(params, CTX)
    assert 0.14 <= median_rtt(sock) <= 0.2
    replayed = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    ProxyLatency().undo(replayed, CTX)
    assert median_rtt(sock) < 0.03
    assert toxic_names(proxy_process, "echo") == ["someone-else"]
    ProxyLatency().undo(replayed, CTX)  # idempotent
    sock.close()


def test_both_directions_add_two_toxics(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    proxy_process.create("echo", echo_server.port)
    ref = ProxyRef(api=proxy_process.api_url, name="echo")
    params = LatencyParams(proxy=ref, latency="10ms", direction="both")
    driver = ProxyLatency()
    record = driver.plan(params, CTX)
    driver.apply(params, CTX)
    assert sorted(toxic_names(proxy_process, "echo")) == sorted(record.data["toxics"])
    driver.undo(record, CTX)
    assert toxic_names(proxy_process, "echo") == []


def test_http_error_and_feed_corrupt_faults(
    proxy_process: ProxyProcess, feature_server: FeatureServer
) -> None:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    ref = ProxyRef(api=proxy_process.api_url, name="features")
    error = HttpErrorParams(proxy=ref, status=502, path="^/features")
    record = ProxyHttpError().plan(error, CTX)
    ProxyHttpError().apply(error, CTX)
    assert requests.get(f"http://127.0.0.1:{port}/features", timeout=5).status_code == 502
    ProxyHttpError().undo(record, CTX)
    corrupt = FeedCorruptParams(proxy=ref, mode="null", fields=["$.records[*].age"], seed=1)
    driver = FeedCorrupt()
    record = driver.plan(corrupt, CTX)
    driver.apply(corrupt, CTX)
    body = requests.get(f"http://127.0.0.1:{port}/features?n=5", timeout=5).json()
    assert [r["age"] for r in body["records"]] == [None] * 5
    driver.undo(record, CTX)
    assert toxic_names(proxy_process, "features") == []


def test_unknown_proxy_is_a_driver_error(proxy_process: ProxyProcess) -> None:
    params = LatencyParams(proxy=ProxyRef(api=proxy_process.api_url, name="ghost"), latency="1s")
    driver = ProxyLatency()
    driver.plan(params, CTX)
    with pytest.raises(DriverError, match="proxy not found"):
        driver.apply(params, CTX)


def test_gone_api_fails_fast_with_infrastructure_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    record = UndoRecord(
        "proxy.latency", {"api": f"http://127.0.0.1:{port}", "proxy": "p", "toxics": ["t"]}, ""
    )
    with pytest.raises(InfrastructureError, match=f"127.0.0.1:{port}"):
        ProxyLatency().undo(record, CTX)


def test_hung_api_fails_within_the_timeout() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    api = f"http://127.0.0.1:{server.getsockname()[1]}"
    record = UndoRecord("proxy.latency", {"api": api, "proxy": "p", "toxics": ["t"]}, "")
    started = time.perf_counter()
    with pytest.raises(InfrastructureError, match="timed out"):
        ProxyLatency().undo(record, CTX)
    assert time.perf_counter() - started < 7
    server.close()
    for conn in accepted:
        conn.close()


@pytest.mark.parametrize(
    ("kind", "extra", "toxic_type", "attributes"),
    [
        ("proxy.bandwidth", {"rate": 50}, "bandwidth", {"rate": 50}),
        ("proxy.timeout", {"timeout": "2s"}, "timeout", {"timeout": 2000}),
        ("proxy.reset", {"timeout": "500ms"}, "reset_peer", {"timeout": 500}),
        (
            "proxy.latency",
            {"latency": "1s", "percent": 50},
            "latency",
            {"latency": 1000, "jitter": 0},
        ),
    ],
)
def test_each_tcp_fault_installs_its_toxic(
    proxy_process: ProxyProcess,
    echo_server: EchoServer,
    kind: str,
    extra: dict[str, object],
    toxic_type: str,
    attributes: dict[str, object],
) -> None:
    from chaosml.drivers.registry import build_registry

    proxy_process.create("echo", echo_server.port)
    driver = build_registry(autoload=False).fault(kind)
    params = driver.params_model.model_validate(
        {"proxy": {"api": proxy_process.api_url, "name": "echo"}, **extra}
    )
    record = driver.plan(params, CTX)
    driver.apply(params, CTX)
    (toxic,) = requests.get(f"{proxy_process.api_url}/proxies/echo/toxics", timeout=5).json()
    lease = toxic["attributes"].pop("chaosml_expires_at")  # every toxic of a run has a lease
    assert lease > time.time() and toxic["type"] == toxic_type
    assert toxic["attributes"] == attributes
    assert toxic["toxicity"] == extra.get("percent", 100) / 100  # type: ignore[operator]
    driver.undo(record, CTX)
    assert toxic_names(proxy_process, "echo") == []


def test_proxy_http_error_kind_is_registered() -> None:
    from chaosml.drivers.registry import build_registry

    assert isinstance(build_registry(autoload=False).fault("proxy.http_error"), ProxyHttpError)
