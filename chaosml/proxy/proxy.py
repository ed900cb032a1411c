"""One proxy: its listener, its open links and its toxics (the state the API changes)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
from typing import TYPE_CHECKING, Any

from chaosml.json_fields import json_fields
from chaosml.proxy.errors import TOXIC_EXISTS, TOXIC_NOT_FOUND, ApiError
from chaosml.proxy.http_relay import HttpRelay
from chaosml.proxy.link import Link
from chaosml.proxy.metrics import ProxyMetrics
from chaosml.proxy.tcp import ClientSide
from chaosml.proxy.toxics import LEASE_ATTRIBUTE, Toxic, corruption_spec, renews_only

if TYPE_CHECKING:  # the feed corruptor loads with the first feed_corrupt toxic (toxics.py)
    from chaosml.feed import FeedCorruptor

PROTOCOLS = ("tcp", "http")
# the listen backlog: a burst of connects must not lose SYNs (the kernel caps it at somaxconn)
BACKLOG = max(socket.SOMAXCONN, 4096)


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``) as a pair; raises ApiError(400) when it is not one."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ApiError(f"bad address {address!r}: expected host:port", 400)
    return host.strip("[]") or "127.0.0.1", int(port)


async def resolved(host: str) -> str:
    """``host`` as the one address the listener binds (IPv4 first), as Toxiproxy stores it:
    ``localhost:N`` is answered as ``127.0.0.1:N``."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    return str(infos[0][4][0])


class Proxy:
    """A listening address relayed to an upstream, with the toxics on it."""

    def __init__(
        self, name: str, listen: str, upstream: str, *, enabled: bool = True, protocol: str = "tcp"
    ) -> None:
        self.name = name
        self.listen = listen
        self.upstream = upstream
        self.enabled = enabled
        self.protocol = protocol
        self.toxics: dict[str, Toxic] = {}
        self.metrics = ProxyMetrics()
        self.version = 0
        self._links: set[Link] = set()
        self._server: asyncio.Server | None = None
        self._tcp: dict[str, list[Toxic]] = {"upstream": [], "downstream": []}
        self._http: list[Toxic] = []
        self._corruptors: dict[str, FeedCorruptor] = {}

    def to_json(self) -> dict[str, Any]:
        return {
            **json_fields(self, "name", "listen", "upstream", "enabled", "protocol"),
            "toxics": [t.to_json() for t in self.toxics.values()],
        }

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self._server is not None or not self.enabled:
            return
        host, port = split_address(self.listen)
        try:
            host = await resolved(host)
            self._server = await self._listen(host, port)
        except OSError as exc:
            # Toxiproxy answers with Go's bind error; clients match on its wording
            reason = (os.strerror(exc.errno) if exc.errno else str(exc)).lower()
            raise ApiError(f"listen tcp {host}:{port}: bind: {reason}", 500) from None
        bound = self._server.sockets[0].getsockname()
        self.listen = f"{host}:{bound[1]}" if ":" not in host else f"[{host}]:{bound[1]}"

    async def _listen(self, host: str, port: int) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        if self.protocol == "http":
            return await asyncio.start_server(
                self._serve_http, host, port, reuse_address=True, backlog=BACKLOG
            )
        return await loop.create_server(
            lambda: ClientSide(self), host, port, reuse_address=True, backlog=BACKLOG
        )

    async def _serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # a connection cancelled because the proxy stops is not an error worth a traceback
        with contextlib.suppress(asyncio.CancelledError):
            await HttpRelay(self, reader, writer).run()

    async def stop(self) -> None:
        """Stop listening and close every open connection."""
        server, self._server = self._server, None
        for link in list(self._links):
            link.close()
        if server is not None:
            server.close()
            await server.wait_closed()

    def upstream_address(self) -> tuple[str, int]:
        return split_address(self.upstream)

    # -- links --------------------------------------------------------------------------------
    def register(self, link: Link) -> None:
        self._links.add(link)
        self.metrics.connections_active = len(self._links)

    def unregister(self, link: Link) -> None:
        self._links.discard(link)
        self.metrics.connections_active = len(self._links)

    # -- toxics -------------------------------------------------------------------------------
    def tcp_toxics(self, stream: str) -> list[Toxic]:
        return self._tcp[stream]

    def http_toxics(self) -> list[Toxic]:
        return self._http

    def corruptor(self, toxic: Toxic) -> FeedCorruptor:
        if toxic.name not in self._corruptors:
            from chaosml.feed import FeedCorruptor

            self._corruptors[toxic.name] = FeedCorruptor(corruption_spec(toxic))
        return self._corruptors[toxic.name]

    def toxic(self, name: str) -> Toxic:
        try:
            return self.toxics[name]
        except KeyError:
            raise TOXIC_NOT_FOUND from None

    def add_toxic(self, toxic: Toxic) -> None:
        if toxic.name in self.toxics:
            raise TOXIC_EXISTS
        self.toxics[toxic.name] = toxic
        self._changed()

    def replace_toxic(self, toxic: Toxic) -> None:
        current = self.toxic(toxic.name)
        if renews_only(current, toxic):  # a lease renewal changes nothing the traffic sees
            current.attributes[LEASE_ATTRIBUTE] = toxic.attributes[LEASE_ATTRIBUTE]
            return
        self.toxics[toxic.name] = toxic
        self._corruptors.pop(toxic.name, None)
        self._changed()

    def remove_toxic(self, name: str) -> None:
        self.toxic(name)
        del self.toxics[name]
        self._corruptors.pop(name, None)
        self._changed()

    def reset_toxics(self) -> None:
        self.toxics.clear()
        self._corruptors.clear()
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        tcp = [t for t in self.toxics.values() if not t.is_http]
        self._tcp = {s: [t for t in tcp if t.stream == s] for s in ("upstream", "downstream")}
        self._http = [t for t in self.toxics.values() if t.is_http]
        self.metrics.toxics_active = len(self.toxics)
        for link in list(self._links):
            link.on_toxics_changed()
