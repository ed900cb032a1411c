"""What the control API refuses before routing: browsers, foreign Host names, huge bodies.

The API opens relays and injects faults, so a web page must not be able to drive it: a request
with a browser's user agent (``Mozilla/``, 403 as in Toxiproxy) or any ``Origin`` header (403) is
refused, and on a loopback bind the ``Host`` header must name the bound address (a DNS
rebinding page sends its own host name: 403). Request bodies are capped (413).
"""

from __future__ import annotations

import asyncio

from chaosml.proxy.errors import ApiError
from chaosml.proxy.http_wire import Message

MAX_BODY = 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

BROWSER_REFUSED = ApiError("User agent not allowed", 403, plain_text="User agent not allowed\n")
ORIGIN_REFUSED = ApiError("cross-origin requests are not allowed (Origin header)", 403)
BODY_TOO_LARGE = ApiError(f"request body larger than {MAX_BODY} bytes", 413)


class BodyTooLarge(Exception):
    """A request body went past MAX_BODY while it was read."""


class CappedReader(asyncio.StreamReader):
    """A StreamReader that refuses to read more than ``MAX_BODY`` body bytes per request."""

    def __init__(self, cap: int = MAX_BODY) -> None:
        super().__init__(limit=64 * 1024)
        self.cap = cap
        self.body_read = 0

    def next_request(self) -> None:
        self.body_read = 0

    async def readexactly(self, n: int) -> bytes:
        self.body_read += n
        if self.body_read > self.cap:
            raise BodyTooLarge
        return await super().readexactly(n)


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` values a loopback-bound API accepts; None (no check) for a remote bind."""
    bound = f"[{host}]" if ":" in host else host
    if not _loopback_name(bound):
        return None  # a remote bind needs a token, which a rebinding page does not know
    names = {bound, *LOOPBACK_NAMES}
    with_port = {f"{name}:{port}" for name in names}
    return frozenset(with_port | (names if port == 80 else set()))


def _loopback_name(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.") or host == "[::ffff:127.0.0.1]"


def check_request(request: Message, hosts: frozenset[str] | None) -> None:
    """Raise ApiError(403) for a browser, a cross-origin request or a foreign Host."""
    if (request.header("user-agent") or "").startswith("Mozilla/"):
        raise BROWSER_REFUSED
    if request.header("origin") is not None:
        raise ORIGIN_REFUSED
    host = request.header("host")
    if hosts is not None and host is not None and host.lower() not in hosts:
        raise ApiError(f"Host {host!r} is not this API's address", 403)
