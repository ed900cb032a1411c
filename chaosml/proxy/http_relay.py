"""The HTTP side of the proxy (``protocol: http``): one request at a time per connection.

Each request is read whole; the HTTP toxics decide whether it is answered by the proxy
(``http_error``, ``blackhole``) or forwarded; a forwarded response is read whole and its JSON
body may be rewritten (``feed_corrupt``) with its Content-Length fixed. The bytes still go
through the link's pipes, so TCP toxics (latency, bandwidth, ...) apply to HTTP proxies too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, cast

from chaosml.proxy.body_codec import MAX_BODY_BYTES
from chaosml.proxy.feed_response import BodyOutcome, corrupt_response_body
from chaosml.proxy.http_wire import (
    BodyStream,
    Message,
    WireError,
    read_request,
    read_response,
    relay_body,
    simple_response,
)
from chaosml.proxy.link import Link
from chaosml.proxy.toxics import Toxic

if TYPE_CHECKING:
    from chaosml.proxy.pipe import Pipe
    from chaosml.proxy.proxy import Proxy


class HttpRelay:
    """Relays one client connection of an HTTP proxy."""

    def __init__(self, proxy: Proxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.proxy = proxy
        self.client_reader = reader
        self.client_writer = writer
        self.link = Link(proxy)

    async def run(self) -> None:
        self.proxy.metrics.connections_total += 1
        host, port = self.proxy.upstream_address()
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            self.client_writer.close()
            return
        # uvloop's transports are not asyncio.Transport subclasses: cast, do not check
        client = cast(asyncio.Transport, self.client_writer.transport)
        upstream = cast(asyncio.Transport, up_writer.transport)
        self.link.attach(client, upstream, paced=False)
        try:
            await self._serve(up_reader)
        except (WireError, OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self.link.close()

    async def _serve(self, up_reader: asyncio.StreamReader) -> None:
        while not self.link.closed:
            request = await self._next_request(up_reader)
            if request is None:  # deliver what toxics still hold before the link closes
                await self.link.pipes["downstream"].flush()
                return
            keep_open = await self._answer(request, up_reader)
            await self.link.pipes["downstream"].room()  # backpressure: see Pipe.room
            if not keep_open or not request.keep_alive:
                await self.link.pipes["downstream"].flush()
                return

    async def _next_request(self, up_reader: asyncio.StreamReader) -> Message | None:
        """The client's next request; None when the client, or the idle upstream, closes.

        An upstream that closes an idle keep-alive connection closes the client's too (as a
        TCP proxy would), so the client's pool opens a new one instead of failing later.
        """
        continue_ = b"HTTP/1.1 100 Continue\r\n\r\n"
        on_continue = partial(self.link.pipes["downstream"].feed, continue_)
        request = asyncio.ensure_future(read_request(self.client_reader, on_continue))
        upstream_closed = asyncio.ensure_future(up_reader.read(1))
        try:
            await asyncio.wait({request, upstream_closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            upstream_closed.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await upstream_closed  # its read must end before anyone reads upstream again
        if not request.done():
            request.cancel()
            return None
        return request.result()

    async def _answer(self, request: Message, up_reader: asyncio.StreamReader) -> bool:
        hang = self._matching("blackhole", request, mode="hang")
        while hang is not None and not self.link.closed:
            await self.link.changed.wait()
            hang = self._matching("blackhole", request, mode="hang")
        own = self._own_answer(request)
        if own is not None:
            self.link.pipes["downstream"].feed(own)
            return True
        self.link.pipes["upstream"].feed(request.without("expect").to_bytes())
        response = await read_response(up_reader, request.method, MAX_BODY_BYTES)
        while 100 <= response.status < 200 and response.status != 101:  # interim answers
            self.link.pipes["downstream"].feed(response.to_bytes(with_body=False))
            response = await read_response(up_reader, request.method)
        if response.status == 101:
            self.link.pipes["downstream"].feed(response.to_bytes(with_body=False))
            await self._tunnel(up_reader)
            return False
        self._corrupt(request, response)
        if response.stream is not None:
            await self._stream_body(response, response.stream, up_reader)
            return response.keep_alive
        with_body = request.method != "HEAD" and response.status not in {204, 304}
        self.link.pipes["downstream"].feed(response.to_bytes(with_body=with_body))
        return response.keep_alive

    async def _stream_body(
        self, response: Message, stream: BodyStream, up_reader: asyncio.StreamReader
    ) -> None:
        """A body above the bound: its head as received, then its bytes as they come."""
        downstream = self.link.pipes["downstream"]

        async def send(data: bytes) -> None:
            downstream.feed(data)
            await downstream.flush()  # the toxics' queue, then the socket's buffer
            await self.client_writer.drain()

        await send(response.to_bytes(with_body=False))
        await relay_body(up_reader, stream, send)

    async def _tunnel(self, up_reader: asyncio.StreamReader) -> None:
        """After ``101 Switching Protocols`` (WebSocket...): relay raw bytes both ways."""
        await asyncio.gather(
            _pump(self.client_reader, self.link.pipes["upstream"]),
            _pump(up_reader, self.link.pipes["downstream"]),
        )

    def _own_answer(self, request: Message) -> bytes | None:
        """The proxy's own answer (http_error, blackhole empty), or None to forward."""
        blackhole = self._matching("blackhole", request, mode="empty")
        if blackhole is not None:
            blackhole.count("requests_blackholed")
            return simple_response(200, "OK", b"", "text/plain; charset=utf-8")
        error = self._matching("http_error", request)
        if error is None:
            return None
        error.count("requests")
        if self.link.rng.random() * 100 >= error.number("percent"):
            return None
        error.count("requests_answered")
        self.proxy.metrics.http_errors_injected += 1
        return _error_response(error)

    def _matching(self, kind: str, request: Message, mode: str | None = None) -> Toxic | None:
        for toxic in self.proxy.http_toxics():
            if toxic.type != kind or (mode and toxic.attributes.get("mode") != mode):
                continue
            if re.search(str(toxic.attributes.get("path") or ""), request.path):
                return toxic
        return None

    def _corrupt(self, request: Message, response: Message) -> None:
        for toxic in self.proxy.http_toxics():
            if toxic.type != "feed_corrupt":
                continue
            if not re.search(str(toxic.attributes.get("path") or ""), request.path):
                continue
            outcome = self._corruption_of(toxic, response)
            self._count_corruption(toxic, outcome)
            if outcome.body is not None:
                response.body = outcome.body

    def _corruption_of(self, toxic: Toxic, response: Message) -> BodyOutcome:
        if response.stream is not None:
            return BodyOutcome(None, skipped="too large")
        encoding, content_type = (
            response.header("content-encoding"),
            response.header("content-type"),
        )
        corruptor = self.proxy.corruptor(toxic)
        return corrupt_response_body(response.body, encoding, content_type, corruptor)

    def _count_corruption(self, toxic: Toxic, outcome: BodyOutcome) -> None:
        toxic.count("responses")
        if outcome.skipped is not None:
            toxic.count(f"skipped:{outcome.skipped}")
            if outcome.skipped != "no body":
                self.proxy.metrics.non_json_bodies += 1
            return
        toxic.count("json_bodies")
        toxic.count("records", outcome.records)
        toxic.count("records_changed", outcome.changed)
        toxic.count("fields_changed", outcome.fields)
        if outcome.slice_records is not None:
            toxic.count("slice_records", outcome.slice_records)
        self.proxy.metrics.records_corrupted += outcome.changed


async def _pump(reader: asyncio.StreamReader, pipe: Pipe) -> None:
    while data := await reader.read(1 << 16):
        pipe.feed(data)
        await pipe.room()


def _error_response(toxic: Toxic) -> bytes:
    status = int(toxic.number("status") or 503)
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    body = str(toxic.attributes.get("body") or "")
    payload = (
        body.encode()
        or json.dumps({"error": "injected by chaosml proxy", "status": status}).encode()
    )
    return simple_response(status, reason, payload, "application/json")
