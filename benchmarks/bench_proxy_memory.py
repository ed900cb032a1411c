"""The proxy's memory with a fast sender and a slow reader, through a latency toxic.

    python benchmarks/bench_proxy_memory.py [--gb 1] [--seconds 60] [--reader-mbps 200]

Pushes ``--gb`` from a fast local sender to a reader that takes at most ``--reader-mbps`` MB/s,
(1) directly (the proxy process idle: its baseline), (2) through the proxy with no toxic and
(3) through a ``--latency-ms`` latency toxic; each scenario with a fresh proxy process, bounded
by ``--seconds``. Prints the proxy process's peak RSS (VmHWM) per scenario and its ratio to the
baseline. Reference (issue 11): before backpressure through toxics, a 5 ms latency toxic took
the proxy to 4.5 GB in 5 s; the target is a few MB per connection over the baseline.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import time

from bench_proxy import _api, start_proxy

BLOCK = 1 << 20


def slow_reader_main(rate: float, ports: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    server = socket.create_server(("127.0.0.1", 0))
    ports.put(server.getsockname()[1])
    while True:
        conn, _ = server.accept()
        with conn:
            received, started = 0, time.monotonic()
            while data := conn.recv(65536):
                received += len(data)
                ahead = received / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)


def push(port: int, total: int, seconds: float) -> tuple[int, float]:
    """Send up to ``total`` bytes within ``seconds``; the bytes sent and the time taken."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(0.1)
    block = memoryview(bytearray(BLOCK))
    started = time.monotonic()
    sent = 0
    with sock:
        while sent < total and time.monotonic() - started < seconds:
            try:
                sent += sock.send(block)
            except TimeoutError:
                continue
    return sent, time.monotonic() - started


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def scenario(name: str, upstream: int, args: argparse.Namespace) -> float:
    proxy, api, proxied = start_proxy(upstream)
    try:
        if name == "latency toxic":
            toxic = {
                "type": "latency",
                "stream": "upstream",
                "attributes": {"latency": args.latency_ms},
            }
            _api(api, "POST", "/proxies/bench/toxics", toxic)
        port = upstream if name == "direct" else proxied
        sent, elapsed = push(port, int(args.gb * 1e9), args.seconds)
        peak = peak_rss_mb(proxy.pid)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    rate = sent / elapsed / 1e6
    print(
        f"{name:<16} {sent / 1e9:>6.2f} GB in {elapsed:>5.1f} s ({rate:>6.0f} MB/s)  proxy peak RSS {peak:>7.1f} MB"
    )
    return peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--reader-mbps", type=float, default=200.0)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    args = parser.parse_args()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    reader = multiprocessing.Process(
        target=slow_reader_main, args=(args.reader_mbps * 1e6, ports), daemon=True
    )
    reader.start()
    upstream = ports.get(timeout=10)
    try:
        peaks = {
            name: scenario(name, upstream, args) for name in ("direct", "no toxic", "latency toxic")
        }
    finally:
        reader.terminate()
    baseline = peaks["direct"]
    for name in ("no toxic", "latency toxic"):
        print(
            f"{name:<16} peak RSS x{peaks[name] / baseline:.2f} of the idle proxy ({baseline:.1f} MB)"
        )


if __name__ == "__main__":
    main()
