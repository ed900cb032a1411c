"""Benchmark chaosml's proxy against a direct loopback connection, in one run.

    python benchmarks/bench_proxy.py [--rtt-samples 5000] [--bulk-mb 1024]

Measures, direct and through the proxy (no toxic): round-trip time p50/p99 of a 64-byte echo on
one persistent connection, new-connection time (connect + first 64-byte echo), bulk throughput
on one connection (client -> sink); and the error of a 100 ms latency toxic (p50/p99, and the
shortest round trip, which must not be under 100 ms: never early). Servers
and the proxy each run in their own process. Prints every figure and its ratio to direct.
Reference (issue 5): Toxiproxy adds ~67 us p50 per round trip and moves ~1.0 GB/s in bulk where
direct loopback moves ~3.3 GB/s; target: no more added latency, at least that throughput, and a
latency toxic never early, late by at most 0.5 ms (p50) / 5 ms (p99).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable

PAYLOAD = b"x" * 64
BLOCK = 1 << 20


def _serve(conn: socket.socket) -> None:
    with conn:
        mode = conn.recv(1)
        if mode == b"E":
            while data := conn.recv(65536):
                conn.sendall(data)
        elif mode == b"S":  # sink: 8 bytes of length, then that many bytes; answer the count
            expected = int.from_bytes(conn.recv(8, socket.MSG_WAITALL), "big")
            buffer, total = bytearray(BLOCK * 4), 0
            while total < expected and (count := conn.recv_into(buffer)):
                total += count
            conn.sendall(total.to_bytes(8, "big"))


def server_main(port_queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    server = socket.create_server(("127.0.0.1", 0))
    port_queue.put(server.getsockname()[1])
    while True:
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_serve, args=(conn,), daemon=True).start()


def connect(port: int, mode: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(mode)
    return sock


def round_trip(sock: socket.socket) -> float:
    started = time.perf_counter()
    sock.sendall(PAYLOAD)
    got = 0
    while got < len(PAYLOAD):
        got += len(sock.recv(4096))
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rtts(port: int, samples: int) -> list[float]:
    sock = connect(port, b"E")
    for _ in range(min(500, samples)):
        round_trip(sock)
    values = [round_trip(sock) for _ in range(samples)]
    sock.close()
    return values


def new_connection_times(port: int, samples: int) -> list[float]:
    values = []
    for _ in range(samples):
        started = time.perf_counter()
        sock = connect(port, b"E")
        round_trip(sock)
        values.append(time.perf_counter() - started)
        sock.close()
    return values


def bulk_gbps(port: int, megabytes: int) -> float:
    sock = connect(port, b"S")
    block = memoryview(bytearray(BLOCK))
    started = time.perf_counter()
    sock.sendall((megabytes * BLOCK).to_bytes(8, "big"))
    for _ in range(megabytes):
        sock.sendall(block)
    # no half-close: the proxy, like Toxiproxy, ends both directions on a client's FIN
    total = int.from_bytes(sock.recv(8, socket.MSG_WAITALL), "big")
    elapsed = time.perf_counter() - started
    sock.close()
    assert total == megabytes * BLOCK, total
    return total / elapsed / 1e9


def start_proxy(upstream_port: int) -> tuple[subprocess.Popen[str], str, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "chaosml.proxy", "--api", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    api = process.stdout.readline().strip().rsplit(" ", 1)[1]
    body = {"name": "bench", "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{upstream_port}"}
    reply = _api(api, "POST", "/proxies", body)
    return process, api, int(reply["listen"].rsplit(":", 1)[1])


def _api(api: str, method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as reply:
        text = reply.read()
    return json.loads(text) if text else {}


def row(name: str, direct: float, proxied: float, unit: str, scale: float) -> None:
    ratio = proxied / direct if direct else float("nan")
    print(f"{name:<34} {direct * scale:>12.1f} {proxied * scale:>12.1f} {unit:<6} x{ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtt-samples", type=int, default=3000)
    parser.add_argument("--conn-samples", type=int, default=200)
    parser.add_argument("--bulk-mb", type=int, default=512)
    parser.add_argument("--latency-samples", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=server_main, args=(ports,), daemon=True)
    server.start()
    upstream = ports.get(timeout=10)
    proxy, api, proxied = start_proxy(upstream)
    try:
        run(args, upstream, proxied, api)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        server.terminate()


def run(args: argparse.Namespace, upstream: int, proxied: int, api: str) -> None:
    """Each measure alternates direct and proxy ``--rounds`` times (this machine is noisy)."""
    print(f"{'measure':<34} {'direct':>12} {'proxy':>12} {'unit':<6} ratio")
    direct_rtt, proxy_rtt = alternate(
        args.rounds, lambda p: rtts(p, args.rtt_samples), upstream, proxied
    )
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        row(f"64B echo RTT {label}", percentile(direct_rtt, q), percentile(proxy_rtt, q), "us", 1e6)
    added = statistics.median(proxy_rtt) - statistics.median(direct_rtt)
    print(f"{'  added by the proxy (p50)':<34} {added * 1e6:>25.1f} us   (Toxiproxy: ~67 us)")
    new_direct, new_proxy = alternate(
        args.rounds, lambda p: new_connection_times(p, args.conn_samples), upstream, proxied
    )
    row(
        "new connection + first echo p50",
        statistics.median(new_direct),
        statistics.median(new_proxy),
        "us",
        1e6,
    )
    bulk_direct, bulk_proxy = alternate(
        args.rounds, lambda p: [bulk_gbps(p, args.bulk_mb)], upstream, proxied
    )
    row(
        "bulk throughput (median of rounds)",
        statistics.median(bulk_direct),
        statistics.median(bulk_proxy),
        "GB/s",
        1.0,
    )
    print(f"{'  rounds':<34} direct {fmt(bulk_direct)}  proxy {fmt(bulk_proxy)}")
    print(f"{'  (Toxiproxy: ~1.0 GB/s vs ~3.3 direct)':<34}")
    latency_accuracy(api, proxied, statistics.median(proxy_rtt), args.latency_samples)


def alternate(
    rounds: int, measure: Callable[[int], list[float]], direct: int, proxied: int
) -> tuple[list[float], list[float]]:
    direct_values: list[float] = []
    proxy_values: list[float] = []
    for _ in range(rounds):
        direct_values += measure(direct)
        proxy_values += measure(proxied)
    return direct_values, proxy_values


def fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def latency_accuracy(api: str, proxied: int, base_rtt: float, samples: int) -> None:
    sock = connect(proxied, b"E")
    round_trip(sock)
    _api(
        api,
        "POST",
        "/proxies/bench/toxics",
        {"name": "lat", "type": "latency", "attributes": {"latency": 100}},
    )
    rtts = [round_trip(sock) for _ in range(samples)]
    _api(api, "DELETE", "/proxies/bench/toxics/lat")
    sock.close()
    errors = [rtt - base_rtt - 0.1 for rtt in rtts]  # > 0: late
    p50, p99 = percentile(errors, 0.5) * 1e3, percentile(errors, 0.99) * 1e3
    earliest = (min(rtts) - 0.1) * 1e3  # a round trip shorter than 100 ms: delivered early
    print(
        f"latency toxic 100 ms: error p50 {p50:+.2f} ms, p99 {p99:+.2f} ms, shortest round trip"
        f" 100 ms {earliest:+.3f} ms (target: p50 <= 0.5 ms, never below +0)"
    )


if __name__ == "__main__":
    main()
