"""The feature service: feature vectors per entity over HTTP, from a CSV or JSONL file.

``python -m chaosml.demo.feature_service --data features.csv --port 8081``

Endpoints: ``GET /features/{entity_id}``, ``POST /features/batch`` (``{"entity_ids": [..]}``),
``GET /version``, ``GET /health``, ``GET /metrics``. Every response carries the service version
in the ``X-Feature-Service-Version`` header. The version is ``--version``, or the content of
``--version-file`` (re-read per request, so a drill can "deploy" another version).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from chaosml.demo.feature_store import FeatureRow, FeatureTable
from chaosml.demo.metrics import EXPOSITION_TYPE, FeatureServiceMetrics
from chaosml.demo.web import Request, Response, error, json_response, serve

VERSION_HEADER = "X-Feature-Service-Version"
DEFAULT_VERSION = "1.0.0"


class VersionSource:
    """The version this service reports: fixed, or read from a file each time."""

    def __init__(self, fixed: str, path: Path | None = None) -> None:
        self.fixed, self.path = fixed, path

    def __call__(self) -> str:
        if self.path is None:
            return self.fixed
        try:
            return self.path.read_text(encoding="utf-8").strip() or self.fixed
        except OSError:
            return self.fixed


def row_payload(row: FeatureRow, now: float) -> dict[str, Any]:
    generated = row.generated_at if row.generated_at is not None else now
    return {"entity_id": row.entity_id, "features": row.features, "generated_at": generated}


class FeatureServiceApp:
    def __init__(self, table: FeatureTable, version: VersionSource) -> None:
        self.table, self.version = table, version
        self.metrics = FeatureServiceMetrics(version, lambda: len(table))

    def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        endpoint, response = self.route(request)
        self.metrics.requests.labels(endpoint, str(response.status)).inc()
        self.metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
        response.headers[VERSION_HEADER] = self.version()
        return response

    def route(self, request: Request) -> tuple[str, Response]:
        path = request.path.rstrip("/")
        if path == "/features/batch" and request.method == "POST":
            return "batch", self.batch(request)
        if path.startswith("/features/") and request.method == "GET":
            return "features", self.one(path.removeprefix("/features/"))
        if path == "/version":
            return "version", json_response(200, {"version": self.version()})
        if path == "/health":
            return "health", self.health()
        if path == "/metrics":
            return "metrics", self.render_metrics()
        return "other", error(404, f"no route for {request.method} {request.path}")

    def one(self, raw_id: str) -> Response:
        try:
            entity_id = int(raw_id)
        except ValueError:
            return error(400, f"entity id must be an integer, got {raw_id!r}")
        row = self.table.get(entity_id)
        if row is None:
            return error(404, f"no features for entity {entity_id}")
        return json_response(200, row_payload(row, time.time()))

    def batch(self, request: Request) -> Response:
        try:
            ids = [int(i) for i in request.json()["entity_ids"]]
        except (ValueError, TypeError, KeyError):
            return error(400, 'expected {"entity_ids": [integers]}')
        now = time.time()
        rows = {i: self.table.get(i) for i in ids}
        found = [row_payload(row, now) for row in rows.values() if row is not None]
        missing = [i for i, row in rows.items() if row is None]
        return json_response(200, {"results": found, "missing": missing})

    def health(self) -> Response:
        self.table.refresh()
        status = {"status": "ok", "rows": len(self.table), "data": str(self.table.path)}
        if self.table.last_error:
            status["data_error"] = self.table.last_error
        return json_response(200, status)

    def render_metrics(self) -> Response:
        self.metrics.reloads.set(self.table.reloads)
        self.metrics.data_errors.set(1 if self.table.last_error else 0)
        return Response(200, self.metrics.render(), EXPOSITION_TYPE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="chaosml demo feature service")
    parser.add_argument("--data", type=Path, required=True, help="CSV or JSONL feature file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--version", default=DEFAULT_VERSION)
    parser.add_argument("--version-file", type=Path)
    parser.add_argument("--pid-file", type=Path)
    args = parser.parse_args(argv)
    app = FeatureServiceApp(FeatureTable(args.data), VersionSource(args.version, args.version_file))
    serve(app, args.host, args.port, args.pid_file)


if __name__ == "__main__":
    main()
