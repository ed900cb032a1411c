"""The TCP side of the proxy: asyncio protocols that feed a link's pipes.

``data_received`` hands each chunk to its pipe, which on the fast path (no toxic) writes it
straight to the peer transport. Flow control: when a peer's write buffer fills, the pipe that
writes into it stops and pauses its source until it drains (see pipe.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from typing import TYPE_CHECKING, cast

from chaosml.proxy.link import Link

if TYPE_CHECKING:
    from chaosml.proxy.proxy import Proxy

WRITE_HIGH_WATER = 1024 * 1024
# the stream written into a socket, by the stream its incoming bytes travel
_INTO_PEER = {"upstream": "downstream", "downstream": "upstream"}


class _Side(asyncio.Protocol):
    """One socket of a link; ``into`` is the stream its incoming bytes travel."""

    def __init__(self, link: Link, into: str) -> None:
        self.link = link
        self.into = into
        self.transport: asyncio.Transport | None = None
        self.early: list[bytes] = []  # bytes that came before the upstream was connected
        self.early_eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: cast, do not check
        self.transport = cast(asyncio.Transport, transport)
        self.transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        _tune(self.transport)

    def data_received(self, data: bytes) -> None:
        pipe = self.link.pipes.get(self.into)
        if pipe is None:
            self.early.append(data)
            if self.transport is not None:  # (uvloop may start reading after connection_made)
                self.transport.pause_reading()
        else:
            pipe.feed(data)

    def eof_received(self) -> bool:
        pipe = self.link.pipes.get(self.into)
        if pipe is None:
            self.early_eof = True
        else:
            pipe.feed_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is None:
            self.link.close()
        else:
            self.link.side_lost(self.transport)

    def pause_writing(self) -> None:
        """Our write buffer is full: the pipe writing into us stops (and pauses its source)."""
        pipe = self.link.pipes.get(_INTO_PEER[self.into])
        if pipe is not None:
            pipe.pause_output()

    def resume_writing(self) -> None:
        pipe = self.link.pipes.get(_INTO_PEER[self.into])
        if pipe is not None:
            pipe.resume_output()


class ClientSide(_Side):
    """The accepted client socket: connects upstream, then starts relaying."""

    def __init__(self, proxy: Proxy) -> None:
        super().__init__(Link(proxy), "upstream")
        self.proxy = proxy

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        assert self.transport is not None
        self.transport.pause_reading()
        self.proxy.metrics.connections_total += 1
        asyncio.get_running_loop().create_task(self._connect_upstream())

    async def _connect_upstream(self) -> None:
        assert self.transport is not None
        host, port = self.proxy.upstream_address()
        loop = asyncio.get_running_loop()
        try:
            sock = await _connected_socket(loop, host, port)
            _, upstream = await loop.create_connection(
                lambda: _Side(self.link, "downstream"), sock=sock
            )
        except OSError:
            self.transport.close()
            return
        assert isinstance(upstream, _Side) and upstream.transport is not None
        self.link.attach(self.transport, upstream.transport, paced=True)
        self._flush_early()
        if not self.link.closed:
            self.link.pipes[self.into].release_source()

    def _flush_early(self) -> None:
        pipe = self.link.pipes[self.into]
        for data in self.early:
            pipe.feed(data)
        self.early.clear()
        if self.early_eof:
            pipe.feed_eof()


def _tune(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def _connected_socket(loop: asyncio.AbstractEventLoop, host: str, port: int) -> socket.socket:
    """A connected non-blocking socket; numeric hosts skip the resolver's thread pool."""
    infos = (
        await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM) if not _numeric(host) else []
    )
    family, address = (infos[0][0], infos[0][4]) if infos else (_family(host), (host, port))
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, address)
    except OSError:
        sock.close()
        raise
    return sock


def _numeric(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
