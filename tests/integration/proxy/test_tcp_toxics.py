"""TCP toxics against a real echo server through the real proxy process.

Every test opens ONE connection before adding the toxic, measures the effect on it, removes
the toxic and checks the same connection is back to normal.
"""

from __future__ import annotations

import socket
import statistics
import time

import pytest

from tests.fixtures.proxy_env import EchoServer, ProxyProcess, connect, round_trip

pytestmark = pytest.mark.slow
MESSAGE = b"m" * 64


def median_rtt(sock: socket.socket, count: int = 5) -> float:
    return statistics.median(round_trip(sock) for _ in range(count))


@pytest.fixture
def tcp_proxy(
    proxy_process_each_loop: ProxyProcess, echo_server: EchoServer
) -> tuple[ProxyProcess, socket.socket]:
    port = proxy_process_each_loop.create("echo", echo_server.port)
    sock = connect(port)
    assert median_rtt(sock) < 0.05
    yield proxy_process_each_loop, sock
    sock.close()


@pytest.mark.parametrize("stream", ["downstream", "upstream"])
def test_latency_reaches_an_open_connection_and_goes_away(tcp_proxy, stream: str) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic(
        "echo", {"name": "lat", "type": "latency", "stream": stream, "attributes": {"latency": 200}}
    )
    assert 0.19 <= median_rtt(sock) <= 0.24
    proxy.remove_toxic("echo", "lat")
    assert median_rtt(sock) < 0.03


def test_latency_jitter_stays_within_its_band(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"type": "latency", "attributes": {"latency": 100, "jitter": 40}})
    rtts = sorted(round_trip(sock) for _ in range(12))
    assert rtts[0] >= 0.059, rtts  # never below latency - jitter
    # above it only by what a loaded machine adds (parallel tests): most of them in the band
    assert sum(rtt <= 0.16 for rtt in rtts) >= 9 and rtts[-1] < 0.5, rtts
    assert max(rtts) - min(rtts) > 0.01


def test_bandwidth_throttles_then_restores(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"name": "bw", "type": "bandwidth", "attributes": {"rate": 100}})
    elapsed = round_trip(sock, b"b" * 50_000)  # 50 KB at 100 KB/s: ~0.5 s
    assert 0.35 <= elapsed <= 0.9, elapsed
    proxy.remove_toxic("echo", "bw")
    assert round_trip(sock, b"b" * 50_000) < 0.1


def test_timeout_zero_drops_data_and_its_removal_closes(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """As Toxiproxy: data sent under ``timeout: 0`` is dropped; removing it closes the link."""
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"name": "hold", "type": "timeout", "attributes": {"timeout": 0}})
    sock.sendall(MESSAGE)
    sock.settimeout(0.4)
    with pytest.raises(TimeoutError):
        sock.recv(100)
    proxy.remove_toxic("echo", "hold")
    sock.settimeout(5)
    assert sock.recv(100) == b""


def test_timeout_closes_the_connection_after_its_delay(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    started = time.perf_counter()
    proxy.add_toxic("echo", {"type": "timeout", "attributes": {"timeout": 300}})
    sock.sendall(MESSAGE)
    assert sock.recv(100) == b""
    assert 0.25 <= time.perf_counter() - started <= 1.0


def test_reset_peer_drops_the_first_data_then_resets(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"type": "reset_peer", "attributes": {"timeout": 300}})
    started = time.perf_counter()
    sock.sendall(MESSAGE)
    with pytest.raises(ConnectionResetError):
        assert sock.recv(100) == b"", "the data sent must be dropped, not echoed"
    assert 0.28 <= time.perf_counter() - started <= 2.0


def test_reset_peer_leaves_an_idle_connection_alone(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"name": "rp", "type": "reset_peer", "attributes": {"timeout": 50}})
    time.sleep(0.3)  # idle well past the timeout: Toxiproxy waits for data before resetting
    proxy.remove_toxic("echo", "rp")
    assert median_rtt(sock) < 0.05


def test_slicer_splits_and_delays(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic(
        "echo", {"name": "sl", "type": "slicer", "attributes": {"average_size": 16, "delay": 20000}}
    )
    sock.sendall(b"s" * 128)
    pieces, started = [], time.perf_counter()
    while sum(map(len, pieces)) < 128:
        pieces.append(sock.recv(1000))
    assert len(pieces) >= 4 and time.perf_counter() - started >= 0.1
    proxy.remove_toxic("echo", "sl")
    assert median_rtt(sock) < 0.03


def test_slicer_cuts_around_the_average_size(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    attributes = {"average_size": 1000, "size_variation": 200, "delay": 10_000}
    proxy.add_toxic("echo", {"name": "sl", "type": "slicer", "attributes": attributes})
    sock.sendall(b"v" * 40_000)
    pieces = []
    while sum(map(len, pieces)) < 40_000:
        pieces.append(sock.recv(100_000))
    sizes = [len(p) for p in pieces]
    assert len(set(sizes)) > 1, f"sizes vary with size_variation: {sizes}"
    # the median: a reader that falls behind on a loaded machine gets two slices in one recv()
    # now and then (seen in CI: a mean of 1481), which says nothing of the slicer's cut
    assert 400 <= statistics.median(sizes) <= 1300, sizes


def test_limit_data_closes_after_the_limit(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"type": "limit_data", "attributes": {"bytes": 100}})
    sock.sendall(b"l" * 300)
    received = b""
    while chunk := sock.recv(1000):
        received += chunk
    assert received == b"l" * 100


def test_slow_close_delays_the_close(proxy_process: ProxyProcess, echo_server: EchoServer) -> None:
    sock = connect(proxy_process.create("echo", echo_server.port))
    proxy_process.add_toxic("echo", {"type": "slow_close", "attributes": {"delay": 300}})
    round_trip(sock)
    started = time.perf_counter()
    sock.shutdown(socket.SHUT_WR)
    assert sock.recv(100) == b""
    assert time.perf_counter() - started >= 0.28
    sock.close()


def test_toxicity_zero_spares_the_connection(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    proxy.add_toxic("echo", {"type": "latency", "toxicity": 0.0, "attributes": {"latency": 300}})
    assert median_rtt(sock) < 0.05


def test_metrics_count_connections_and_bytes(tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, sock = tcp_proxy
    round_trip(sock)
    assert proxy.metric("chaosml_proxy_connections_active", "echo") == 1
    assert proxy.metric("chaosml_proxy_bytes_total", "echo", ',direction="upstream"') >= 6 * 64
    proxy.add_toxic("echo", {"type": "latency", "attributes": {"latency": 1}})
    assert proxy.metric("chaosml_proxy_toxics_active", "echo") == 1
