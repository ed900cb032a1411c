"""HTTP toxics through the real proxy to a real HTTP JSON feature server (keep-alive)."""

from __future__ import annotations

import json
import math
import socket
import threading
import time

import pytest
import requests

from chaosml.proxy.ephemeral import start_ephemeral
from tests.fixtures.http_servers import QuietHandler, serving
from tests.fixtures.proxy_env import FeatureServer, ProxyProcess, feature_records, wait_until


@pytest.fixture
def http_proxy(
    proxy_process: ProxyProcess, feature_server: FeatureServer
) -> tuple[ProxyProcess, str]:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    return proxy_process, f"http://127.0.0.1:{port}"


def test_passthrough_keeps_the_connection_alive(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    with requests.Session() as session:
        for _ in range(5):
            reply = session.get(f"{base}/features?n=3", timeout=5)
            assert reply.json() == {"records": feature_records(3)}
        assert session.get(f"{base}/chunked", timeout=5).json() == {"records": feature_records(40)}
    assert proxy.metric("chaosml_proxy_connections_total", "features") == 1


def test_http_error_on_a_path_then_removed(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    with requests.Session() as session:
        assert session.get(f"{base}/features", timeout=5).status_code == 200
        attributes = {"status": 503, "path": "^/features"}
        proxy.add_toxic("features", {"name": "err", "type": "http_error", "attributes": attributes})
        assert session.get(f"{base}/features", timeout=5).status_code == 503
        assert session.get(f"{base}/other", timeout=5).status_code == 200
        proxy.remove_toxic("features", "err")
        assert session.get(f"{base}/features", timeout=5).status_code == 200


def test_http_error_percent_is_a_share_of_requests(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    proxy.add_toxic(
        "features", {"type": "http_error", "attributes": {"status": 500, "percent": 30}}
    )
    with requests.Session() as session:
        codes = [session.get(f"{base}/x", timeout=5).status_code for _ in range(300)]
    errors = codes.count(500)
    assert abs(errors - 90) <= 5 * math.sqrt(300 * 0.3 * 0.7), errors
    assert proxy.metric("chaosml_proxy_http_errors_injected_total", "features") == errors


@pytest.mark.parametrize("endpoint", ["/features?n=400", "/chunked"])
def test_feed_corrupt_rewrites_a_share_of_records(http_proxy, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    attributes = {"mode": "nan", "fields": ["$.records[*].age"], "percent": 50, "seed": 7}
    proxy.add_toxic("features", {"name": "fc", "type": "feed_corrupt", "attributes": attributes})
    reply = requests.get(base + endpoint, timeout=5)
    assert int(reply.headers["Content-Length"]) == len(reply.content)
    got = json.loads(reply.content)["records"]
    want = feature_records(len(got))
    changed = [i for i, rec in enumerate(got) if rec != want[i]]
    assert all(math.isnan(got[i]["age"]) and got[i]["income"] == want[i]["income"] for i in changed)
    share = len(changed) / len(got)
    assert abs(share - 0.5) <= 5 * math.sqrt(0.25 / len(got)), share
    assert proxy.metric("chaosml_proxy_records_corrupted_total", "features") == len(changed)
    proxy.remove_toxic("features", "fc")
    assert requests.get(base + endpoint, timeout=5).json()["records"] == want


def test_same_seed_same_corruption_through_the_proxy(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    attributes = {"mode": "scale", "fields": ["$.records[*].income"], "percent": 40, "seed": 3}
    bodies = []
    for _ in range(2):
        proxy.add_toxic(
            "features", {"name": "fc", "type": "feed_corrupt", "attributes": attributes}
        )
        bodies.append(requests.get(f"{base}/features?n=100", timeout=5).content)
        proxy.remove_toxic("features", "fc")
    assert bodies[0] == bodies[1]


def test_non_json_bodies_pass_untouched_and_are_counted(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    attributes = {"mode": "null", "fields": ["$.x"]}
    proxy.add_toxic("features", {"type": "feed_corrupt", "attributes": attributes})
    assert requests.get(f"{base}/text", timeout=5).content == b"plain text, not json"
    assert proxy.metric("chaosml_proxy_non_json_bodies_total", "features") == 1


def test_blackhole_empties_metrics_only(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    proxy.add_toxic(
        "features", {"name": "bh", "type": "blackhole", "attributes": {"path": "^/metrics"}}
    )
    reply = requests.get(f"{base}/metrics", timeout=5)
    assert reply.status_code == 200 and reply.content == b""
    assert requests.get(f"{base}/features", timeout=5).status_code == 200
    proxy.remove_toxic("features", "bh")
    assert requests.get(f"{base}/metrics", timeout=5).content == b"feature_requests_total 1\n"


def test_blackhole_hang_never_answers(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    attributes = {"path": "^/metrics", "mode": "hang"}
    proxy.add_toxic("features", {"type": "blackhole", "attributes": attributes})
    with pytest.raises(requests.Timeout):
        requests.get(f"{base}/metrics", timeout=0.5)


def test_tcp_latency_applies_to_http_proxies(http_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = http_proxy
    with requests.Session() as session:
        session.get(f"{base}/features", timeout=5)
        proxy.add_toxic(
            "features", {"name": "lat", "type": "latency", "attributes": {"latency": 200}}
        )
        started = time.perf_counter()
        session.get(f"{base}/features", timeout=5)
        assert 0.19 <= time.perf_counter() - started <= 0.35
        proxy.remove_toxic("features", "lat")
        started = time.perf_counter()
        session.get(f"{base}/features", timeout=5)
        assert time.perf_counter() - started < 0.1


def test_upstream_closing_an_idle_connection_closes_the_client_side(
    proxy_process: ProxyProcess,
) -> None:
    """A server's keep-alive timeout must not turn the client's next request into an error."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer_once_then_close() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                time.sleep(0.1)  # the server's keep-alive timeout

    threading.Thread(target=answer_once_then_close, daemon=True).start()
    port = proxy_process.create("short", server.getsockname()[1], protocol="http")
    try:
        with requests.Session() as session:
            assert session.get(f"http://127.0.0.1:{port}/", timeout=5).text == "ok"
            assert wait_until(
                lambda: proxy_process.metric("chaosml_proxy_connections_active", "short") == 0
            )
            assert session.get(f"http://127.0.0.1:{port}/", timeout=5).text == "ok"
    finally:
        server.close()


def test_expect_continue_head_and_post(http_proxy) -> None:  # type: ignore[no-untyped-def]
    _, base = http_proxy
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = (
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.sendall(head)
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"hello")
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(1000)
        assert answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200")
        assert answer.endswith(b'{"received": 5}')
    head_reply = requests.head(f"{base}/features", timeout=5)
    assert head_reply.status_code == 200 and head_reply.headers["Content-Length"] == "1234"


def test_switching_protocols_becomes_a_tunnel(proxy_process: ProxyProcess) -> None:
    server = socket.create_server(("127.0.0.1", 0))

    def upgrade_then_echo() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            )
            while data := conn.recv(65536):
                conn.sendall(data)

    threading.Thread(target=upgrade_then_echo, daemon=True).start()
    port = proxy_process.create("ws", server.getsockname()[1], protocol="http")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(
                b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            )
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(1000)
            assert head.startswith(b"HTTP/1.1 101")
            sock.sendall(b"raw frames")
            assert sock.recv(100) == b"raw frames"
    finally:
        server.close()


def test_latency_on_an_http_proxy_with_an_http_10_upstream_delays_instead_of_dropping() -> None:
    """An HTTP/1.0 upstream closes after each response: the delayed response must still arrive."""

    class OldServer(QuietHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            self.reply(200, b'{"features": {"age": 1}}')

    with serving(OldServer) as upstream_url:
        proxy = start_ephemeral(
            "127.0.0.1:0", upstream_url.removeprefix("http://"), "http", name="old"
        )
        try:
            requests.post(
                f"{proxy.api_url}/proxies/old/toxics",
                json={"type": "latency", "attributes": {"latency": 200}},
                timeout=5,
            )
            with socket.create_connection(
                ("127.0.0.1", int(proxy.listen.rsplit(":", 1)[1])), timeout=5
            ) as sock:
                started = time.perf_counter()
                sock.sendall(b"GET /features HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
                elapsed = time.perf_counter() - started
            assert data.startswith(b"HTTP/1.0 200") and data.endswith(b'{"features": {"age": 1}}')
            assert 0.18 <= elapsed < 1.0
        finally:
            proxy.stop()
