"""chaosml's webhook sink: an HTTP endpoint Alertmanager's ``webhook_configs`` post to.

It listens only where it is told (a bare port means 127.0.0.1), refuses bodies over
``MAX_BODY_BYTES`` (413) or without a length (411) and anything that is not Alertmanager's
webhook format version 4 (400), and keeps what it accepted, in order. ``stop()`` closes the
socket and joins the thread: nothing stays listening.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chaosml.errors import InfrastructureError, InputError
from chaosml.notify import webhook
from chaosml.notify.webhook import Notification

READ_TIMEOUT_S = 5.0
MAX_BODY_BYTES = 1 << 20  # Alertmanager truncates nothing; a page of 1 MiB is already absurd
Listener = Callable[[Notification], None]
Rejection = Callable[[int, str], None]


def parse_listen(text: str) -> tuple[str, int]:
    """``host:port``, ``:port`` or ``port``; no host means loopback."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise InputError(f"listen: expected host:port or a port, got {text!r}")
    return host, int(port)


class _Server(ThreadingHTTPServer):
    """``server_close()`` joins the handler threads (not daemons): once a sink has stopped, no
    handler can still journal a notification after ``run.end``."""

    daemon_threads = False
    block_on_close = True
    sink: WebhookSink

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up or sent garbage is not chaosml's failure: one line, no trace."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            print(f"chaosml: webhook sink {self.sink.address}: {error!r}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no handler idles on keep-alive
    timeout = READ_TIMEOUT_S  # a client that sends slowly cannot hold the run's end

    def do_POST(self) -> None:
        sink = self.server.sink
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return self._answer(411, "a Content-Length is required")
        if int(length) > sink.max_bytes:
            return self._answer(413, f"body over {sink.max_bytes} bytes")
        body = self.rfile.read(int(length))
        try:
            note = webhook.parse(body, time.time(), self.path)
        except webhook.BadPayload as exc:
            return self._answer(400, f"not an Alertmanager webhook (version 4): {exc}")
        sink.accept(note)
        self._answer(200, "ok")

    def do_GET(self) -> None:
        self._answer(405, "POST Alertmanager webhooks here")

    def _answer(self, status: int, text: str) -> None:
        if status != 200:
            self.server.sink.reject(status, text)
            self.close_connection = True
        data = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: what matters goes to the journal."""


class WebhookSink:
    def __init__(
        self,
        listen: str,
        *,
        max_bytes: int = MAX_BODY_BYTES,
        on_notification: Listener | None = None,
        on_rejected: Rejection | None = None,
    ) -> None:
        self.listen = listen
        self.host, self.port = parse_listen(listen)
        self.max_bytes = max_bytes
        self.on_notification = on_notification
        self.on_rejected = on_rejected
        self._lock = threading.Lock()
        self._received: list[Notification] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> WebhookSink:
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as exc:
            raise InfrastructureError(
                f"the webhook sink cannot listen on {self.listen}: {exc.strerror or exc}",
                hint="is the port free, and the address one of this machine's?",
            ) from exc
        server.sink = self
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the socket and wait for the thread; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5.0)

    @property
    def running(self) -> bool:
        return self._server is not None

    def accept(self, note: Notification) -> None:
        with self._lock:
            self._received.append(note)
        if self.on_notification is not None:
            self.on_notification(note)  # a listener's failure is the handler's error (one line)

    def reject(self, status: int, reason: str) -> None:
        if self.on_rejected is not None:
            self.on_rejected(status, reason)

    def received(self) -> list[Notification]:
        with self._lock:
            return list(self._received)
