"""One proxied connection: the client and upstream transports and a pipe each way.

The link decides once per toxic whether the toxic applies to it (``toxicity``), keeps the
per-connection state toxics need (bytes passed for ``limit_data``, the timers of ``timeout``
and ``reset_peer``) and closes both sides together. As in Toxiproxy, removing a ``timeout``
toxic that held the connection closes it, and the end of one direction closes the other side
(no half-open connections): a client's FIN closes the upstream connection, whose end then
closes the client once the data still held by toxics went out.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from chaosml.proxy.pipe import Pipe
from chaosml.proxy.toxics import Toxic

if TYPE_CHECKING:
    from chaosml.proxy.proxy import Proxy

_OTHER = {"upstream": "downstream", "downstream": "upstream"}


class Link:
    """A client connection and its upstream, with their two pipes."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.rng = random.Random()
        self.closed = False
        self.pipes: dict[str, Pipe] = {}
        self.transports: list[asyncio.BaseTransport] = []
        self._rolls: dict[tuple[str, float], bool] = {}
        self._passed: dict[str, int] = {}
        self._timers: dict[tuple[str, str, float], asyncio.TimerHandle] = {}
        self._finished: set[str] = set()
        self._holding: set[str] = set()  # names of the timeout toxics that apply
        self._reset_armed = False
        self.changed = asyncio.Event()

    def attach(
        self, client: asyncio.Transport, upstream: asyncio.Transport, *, paced: bool
    ) -> None:
        """Wire the pipes; ``paced`` lets a long queue pause the reading side (TCP mode)."""
        self.transports = [client, upstream]
        self.pipes = {
            "upstream": Pipe(self, "upstream", upstream, client if paced else None),
            "downstream": Pipe(self, "downstream", client, upstream if paced else None),
        }
        self.proxy.register(self)
        self.on_toxics_changed()

    def byte_counter(self, stream: str) -> Callable[[int], None]:
        metrics = self.proxy.metrics
        if stream == "upstream":

            def count_up(n: int) -> None:
                metrics.bytes_upstream += n

            return count_up

        def count_down(n: int) -> None:
            metrics.bytes_downstream += n

        return count_down

    def applicable(self, stream: str) -> list[Toxic]:
        """The proxy's TCP toxics on ``stream`` that apply to this connection."""
        return [t for t in self.proxy.tcp_toxics(stream) if self._rolled(t)]

    def _rolled(self, toxic: Toxic) -> bool:
        key = (toxic.name, toxic.toxicity)
        if key not in self._rolls:
            self._rolls[key] = toxic.toxicity >= 1.0 or self.rng.random() < toxic.toxicity
            if self._rolls[key]:
                toxic.count("connections")
        return self._rolls[key]

    def on_toxics_changed(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()
        for pipe in self.pipes.values():
            pipe.refresh()
        if self._held_toxic_removed():
            self.close()
            return
        self._sync_timers()

    def _held_toxic_removed(self) -> bool:
        """A ``timeout`` toxic that applied here was removed (Toxiproxy then closes)."""
        timeouts = {
            t.name
            for stream in ("upstream", "downstream")
            for t in self.applicable(stream)
            if t.type == "timeout"
        }
        removed = self._holding - set(self.proxy.toxics)
        self._holding = timeouts
        return bool(removed)

    def _sync_timers(self) -> None:
        """Start the timers of new ``timeout`` toxics (> 0 ms), cancel removed ones."""
        wanted = {
            (t.name, t.type, t.number("timeout")): t
            for stream in ("upstream", "downstream")
            for t in self.applicable(stream)
            if t.type == "timeout" and t.number("timeout")
        }
        for key in set(self._timers) - set(wanted):
            self._timers.pop(key).cancel()
        loop = asyncio.get_running_loop()
        for key, toxic in wanted.items():
            if key not in self._timers:
                self._timers[key] = loop.call_later(toxic.number("timeout") / 1000.0, self.close)

    def arm_reset(self, delay: float) -> None:
        """``reset_peer`` saw data: reset the connection ``delay`` seconds from now (once)."""
        if self._reset_armed or self.closed:
            return
        self._reset_armed = True
        key = ("reset_peer", "reset_peer", delay)
        self._timers[key] = asyncio.get_running_loop().call_later(delay, self.reset)

    def limit(self, piece: bytes, toxics: list[Toxic]) -> bytes:
        """``piece`` cut to what the ``limit_data`` toxics still let through."""
        for toxic in toxics:
            if toxic.type == "limit_data" and toxic.number("bytes") > 0:
                room = int(toxic.number("bytes")) - self._passed.get(toxic.name, 0)
                piece = piece[: max(0, room)]
                self._passed[toxic.name] = self._passed.get(toxic.name, 0) + len(piece)
        return piece

    def limit_reached(self, toxics: list[Toxic]) -> bool:
        return any(
            t.type == "limit_data"
            and t.number("bytes") > 0
            and self._passed.get(t.name, 0) >= t.number("bytes")
            for t in toxics
        )

    def pipe_finished(self, pipe: Pipe) -> None:
        """``pipe``'s source ended and its queue went out: close its peer; the other direction
        then ends too (and closes the link once it delivered what it holds)."""
        self._finished.add(pipe.stream)
        other = self.pipes[_OTHER[pipe.stream]]
        if len(self._finished) == 2 or other.source is None:
            self.close()
            return
        pipe.out.close()
        other.feed_eof()

    def side_lost(self, transport: asyncio.BaseTransport) -> None:
        """A socket closed: the link ends, unless pipe_finished closed it on purpose."""
        ended = {self.pipes[s].out for s in self._finished if s in self.pipes}
        if transport not in ended:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for timer in self._timers.values():
            timer.cancel()
        for transport in self.transports:
            transport.close()
        self.changed.set()
        self.proxy.unregister(self)

    def reset(self) -> None:
        """Close both sides with a TCP RST (SO_LINGER 0), as ``reset_peer`` does."""
        for transport in self.transports:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for transport in self.transports:
            cast(asyncio.Transport, transport).abort()
        self.close()
