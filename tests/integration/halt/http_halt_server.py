"""A real HTTP halt service on 127.0.0.1 speaking the protocol of docs/safety.md:
``GET`` -> 200 ``{"halted": …}``, ``PUT`` stores the record, ``DELETE`` clears it."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: _HaltServer

    def do_GET(self) -> None:
        self._answer(200, self.server.record or {"halted": False})

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.record = json.loads(self.rfile.read(length) or b"{}")
        self._answer(200, self.server.record)

    def do_DELETE(self) -> None:
        was, self.server.record = self.server.record, None
        self._answer(200 if was else 404, {"halted": False})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _HaltServer(ThreadingHTTPServer):
    record: dict[str, Any] | None = None


@contextlib.contextmanager
def http_halt_service() -> Iterator[_HaltServer]:
    """The service on a free port; ``server.url`` names it. Shut down at the end."""
    server = _HaltServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def url_of(server: _HaltServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/halt"
