"""The proxy's memory stays bounded under any toxic; latency is never early; a half-close ends
the connection (as in Toxiproxy); a burst of connects is accepted at once."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.fixtures.proxy_env import (
    EchoServer,
    ProxyProcess,
    SlowSink,
    peak_rss_mb,
    push_for,
)

pytestmark = pytest.mark.slow


def test_memory_stays_bounded_behind_a_latency_toxic(proxy_process: ProxyProcess) -> None:
    """A fast sender through a 5 ms latency toxic to a slow reader: reads pause, RSS stays low."""
    sink = SlowSink(rate=20e6)
    try:
        port = proxy_process.create("slow", sink.port)
        toxic = {"type": "latency", "stream": "upstream", "attributes": {"latency": 5}}
        proxy_process.add_toxic("slow", toxic)
        sent = push_for(port, seconds=3.0)
        peak = peak_rss_mb(proxy_process.process.pid)
    finally:
        sink.close()
    assert sent > 20e6, "the sender got nothing through"
    assert peak < 250, f"proxy peak RSS {peak:.0f} MB after pushing {sent / 1e6:.0f} MB"


def test_memory_stays_bounded_in_an_http_tunnel(proxy_process: ProxyProcess) -> None:
    """The same through an HTTP proxy's upgraded (101) connection, with a latency toxic."""
    sink = SlowSink(rate=20e6, upgrade=True)
    try:
        port = proxy_process.create("ws", sink.port, protocol="http")
        toxic = {"type": "latency", "stream": "upstream", "attributes": {"latency": 5}}
        proxy_process.add_toxic("ws", toxic)
        sent = push_for(port, seconds=3.0, upgrade=True)
        peak = peak_rss_mb(proxy_process.process.pid)
    finally:
        sink.close()
    assert sent > 20e6, "the sender got nothing through"
    assert peak < 250, f"proxy peak RSS {peak:.0f} MB after pushing {sent / 1e6:.0f} MB"


def test_latency_is_never_early(proxy_process: ProxyProcess, echo_server: EchoServer) -> None:
    port = proxy_process.create("echo", echo_server.port)
    proxy_process.add_toxic("echo", {"type": "latency", "attributes": {"latency": 5}})
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with sock:
        rtts = []
        for _ in range(200):
            started = time.perf_counter()
            sock.sendall(b"n" * 64)
            got = 0
            while got < 64:
                got += len(sock.recv(100))
            rtts.append(time.perf_counter() - started)
    assert min(rtts) >= 0.005, f"delivered {(0.005 - min(rtts)) * 1e3:.3f} ms early"


def _late_talker() -> tuple[socket.socket, list[bytes]]:
    """An upstream that, after the client's FIN, still sends ``late`` before it closes."""
    server = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def talk() -> None:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(1000):
                seen.append(data)
            time.sleep(0.1)
            try:
                conn.sendall(b"late")
            except OSError:
                seen.append(b"<closed by the proxy>")

    threading.Thread(target=talk, daemon=True).start()
    return server, seen


def test_client_half_close_closes_both_directions(proxy_process: ProxyProcess) -> None:
    server, _ = _late_talker()
    try:
        port = proxy_process.create("half", server.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"hello")
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b"", "the upstream's late answer must not come through"
    finally:
        server.close()


def test_a_burst_of_500_connects_is_accepted_at_once(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    port = proxy_process.create("burst", echo_server.port)
    socks: list[socket.socket] = []
    started = time.perf_counter()
    try:
        for _ in range(500):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            socks.append(sock)
        for sock in socks:
            sock.setblocking(True)
            sock.settimeout(5)
            sock.sendall(b"x")
        elapsed = time.perf_counter() - started
    finally:
        for sock in socks:
            sock.close()
    assert elapsed < 1.0, f"500 connects took {elapsed:.2f} s (SYNs dropped by a short backlog?)"
