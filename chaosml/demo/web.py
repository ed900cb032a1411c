"""The demo services' HTTP plumbing: a tiny request/response app on ThreadingHTTPServer.

An app is a callable ``(Request) -> Response`` with no socket in sight, so it is unit-testable;
``serve()`` binds it to a loopback port and stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The parsed body; ValueError when it is not JSON."""
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


App = Callable[[Request], Response]


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response; NaN/Infinity are written as-is (a corrupted feed stays corrupted)."""
    return Response(status, json.dumps(payload).encode(), headers=dict(headers or {}))


def error(status: int, message: str, **extra: Any) -> Response:
    return json_response(status, {"error": message, **extra})


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, parts.path, parse_qs(parts.query), body)
            try:
                response = app(request)
            except Exception as exc:  # an app bug answers 500, never kills the server
                response = error(500, f"internal error: {type(exc).__name__}: {exc}")
            self._write(response)

        def _write(self, response: Response) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the services report through /metrics, not access logs."""

    return Handler


@contextmanager
def serve_in_thread(
    app: App, host: str, port: int, pid_file: Path | None = None
) -> Iterator[ThreadingHTTPServer]:
    """Serve ``app`` from a background thread while the block runs (port 0: any free port)."""
    server = ThreadingHTTPServer((host, port), _handler_for(app))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    if pid_file:
        write_pid_file(pid_file)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        if pid_file:
            remove_pid_file(pid_file)


def serve(app: App, host: str, port: int, pid_file: Path | None = None) -> None:
    """Serve ``app`` until SIGTERM or SIGINT, then return (exit status 0)."""
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with serve_in_thread(app, host, port, pid_file):
        while not stopped.wait(0.5):
            pass


def write_pid_file(path: Path) -> None:
    path.write_text(f"{os.getpid()}\n", encoding="utf-8")


def remove_pid_file(path: Path) -> None:
    """Remove the pid file if it still names this process (a restart may have replaced it)."""
    try:
        if path.read_text(encoding="utf-8").strip() == str(os.getpid()):
            path.unlink()
    except OSError:
        pass
