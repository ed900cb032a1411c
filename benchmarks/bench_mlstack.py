"""The example ML stack: /predict latency with the model server reading features directly vs
through the chaosml proxy (protocol http, no toxic) — what putting the proxy on the feature path
costs a prediction. Both measured in the same run; prints p50/p99/throughput and the ratios.

    python benchmarks/bench_mlstack.py [--requests 400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaosml.demo.stack import Stack, start_stack


def start_proxy() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml.proxy", "--api", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    return proc, line.strip().rsplit(" ", 1)[1]


def proxied(api: str) -> object:
    def route(feature_url: str) -> str:
        body = {
            "name": "features",
            "listen": "127.0.0.1:0",
            "protocol": "http",
            "upstream": feature_url.removeprefix("http://"),
        }
        req = urllib.request.Request(
            f"{api}/proxies",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            return "http://" + json.loads(resp.read())["listen"]

    return route


def measure(stack: Stack, requests: int) -> tuple[float, float, float]:
    """p50 and p99 latency (ms) and requests/s of sequential /predict calls."""
    times = []
    started = time.perf_counter()
    for i in range(requests):
        req = urllib.request.Request(
            f"{stack.model_url}/predict", data=json.dumps({"entity_id": i % 500}).encode()
        )
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read()
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    q = statistics.quantiles(times, n=100)
    return q[49], q[98], requests / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    proxy, api = start_proxy()
    results = {}
    try:
        for label, route in (("direct", None), ("via chaosml proxy", proxied(api))):
            stack = start_stack(rate=0, route_features=route)  # type: ignore[arg-type]
            try:
                measure(stack, 50)  # warm-up
                results[label] = measure(stack, args.requests)
            finally:
                stack.stop()
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    for label, (p50, p99, rps) in results.items():
        print(f"{label:>18}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {rps:7.1f} predictions/s")
    (d50, d99, drps), (p50, p99, prps) = results["direct"], results["via chaosml proxy"]
    print(
        f"{'ratio proxy/direct':>18}: p50 x{p50 / d50:.2f}  p99 x{p99 / d99:.2f}  throughput x{prps / drps:.2f}"
    )


if __name__ == "__main__":
    main()
