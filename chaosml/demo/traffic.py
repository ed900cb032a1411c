"""The traffic generator: steady ``POST /predict`` requests plus a ``/health`` prober.

``python -m chaosml.demo.traffic --url http://127.0.0.1:8080 --rate 10 --port 8082``

Open loop: a request is started every ``1/rate`` seconds whether or not the last one answered
(at most ``--max-in-flight`` at once; the rest count in ``traffic_dropped_total``). Every second
it checks the model server's ``/health`` and exports ``traffic_target_up{target="model-server"}``
(the blackbox view ``ModelServerDown`` alerts on). Exits 0 on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

from chaosml.demo.metrics import EXPOSITION_TYPE, TrafficMetrics
from chaosml.demo.web import Request, Response, error, serve_in_thread

TARGET = "model-server"


def post_predict(url: str, entity_id: int, timeout: float) -> str:
    """One request; the outcome label: the status code, ``timeout`` or ``unreachable``."""
    body = json.dumps({"entity_id": entity_id}).encode()
    req = urllib.request.Request(
        f"{url}/predict", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return str(resp.status)
    except urllib.error.HTTPError as exc:
        return str(exc.code)
    except TimeoutError:
        return "timeout"
    except (urllib.error.URLError, OSError):
        return "unreachable"


def healthy(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class TrafficGenerator:
    def __init__(self, url: str, rate: float, entities: int, max_in_flight: int = 16) -> None:
        self.url, self.rate, self.entities = url.rstrip("/"), rate, entities
        self.metrics = TrafficMetrics()
        self.stop = threading.Event()
        self._slots = threading.Semaphore(max_in_flight)
        self._pool = ThreadPoolExecutor(max_in_flight, thread_name_prefix="traffic")
        self._rng = random.Random(0)

    def app(self, request: Request) -> Response:
        if request.path == "/metrics":
            return Response(200, self.metrics.render(), EXPOSITION_TYPE)
        if request.path == "/health":
            return Response(200, b'{"status": "ok"}')
        return error(404, f"no route for {request.path}")

    def run(self) -> None:
        threading.Thread(target=self._probe_loop, daemon=True).start()
        next_at = time.monotonic()
        while not self.stop.is_set():
            self._send_one()
            next_at += 1.0 / self.rate
            self.stop.wait(max(0.0, next_at - time.monotonic()))
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _send_one(self) -> None:
        if not self._slots.acquire(blocking=False):
            self.metrics.dropped.inc()
            return
        self._pool.submit(self._request, self._rng.randrange(self.entities))

    def _request(self, entity_id: int) -> None:
        started = time.perf_counter()
        try:
            outcome = post_predict(self.url, entity_id, timeout=5.0)
            self.metrics.requests.labels(outcome).inc()
            self.metrics.latency.observe(time.perf_counter() - started)
        finally:
            self._slots.release()

    def _probe_loop(self) -> None:
        while not self.stop.is_set():
            up = healthy(self.url, timeout=1.0)
            self.metrics.target_up.labels(TARGET).set(1 if up else 0)
            self.stop.wait(1.0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="chaosml demo traffic generator")
    parser.add_argument("--url", required=True, help="model server base URL")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--entities", type=int, default=500, help="entity ids 0..N-1")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082, help="port of its /metrics")
    parser.add_argument("--pid-file", type=Path)
    args = parser.parse_args(argv)
    generator = TrafficGenerator(args.url, args.rate, args.entities)

    def stop(signum: int, frame: FrameType | None) -> None:
        generator.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with serve_in_thread(generator.app, args.host, args.port, args.pid_file):
        generator.run()


if __name__ == "__main__":
    main()
