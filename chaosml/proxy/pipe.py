"""One direction of a proxied connection: bytes in, TCP toxics applied, bytes out.

With no toxic on its stream a pipe writes each chunk straight to the peer transport (the fast
path: no queue, no task, no timer). As soon as a toxic applies, chunks queue with their arrival
time and a worker task releases them when the toxics allow: after the latency, at the bandwidth
rate, in slices, up to a data limit, or not at all while a ``timeout`` toxic holds them. The
worker re-reads the proxy's toxics whenever they change, so a toxic added or removed reaches
connections that are already open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosml.proxy.toxics import Toxic

if TYPE_CHECKING:
    from chaosml.proxy.link import Link

HIGH_WATER = 4 * 1024 * 1024
LOW_WATER = 1024 * 1024
# Event-loop timers fire up to ~1 ms late (libuv counts milliseconds): aim half a ms early so
# a latency toxic's error centres on zero instead of on +0.5..1 ms.
TIMER_SLACK = 0.0005


@dataclass
class _Chunk:
    arrived: float
    data: bytes
    delay: float | None = None  # latency + jitter drawn for this chunk
    delay_version: int = -1


class Pipe:
    """Moves bytes from ``source`` (paused when the queue is long) to ``out``."""

    def __init__(
        self,
        link: Link,
        stream: str,
        out: asyncio.WriteTransport,
        source: asyncio.ReadTransport | None,
    ) -> None:
        self.link = link
        self.stream = stream
        self.out = out
        self.source = source
        self.loop = asyncio.get_running_loop()
        self.queue: deque[_Chunk] = deque()
        self.queued = 0
        self.fast = True
        self.eof = False
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._ready_at = 0.0
        self._count = link.byte_counter(stream)

    def refresh(self) -> None:
        """The proxy's toxics changed: choose the path again and wake the worker."""
        self.fast = not self.link.applicable(self.stream)
        self._wake.set()
        if not self.fast or self.queue or self.eof:
            self._ensure_worker()

    def feed(self, data: bytes) -> None:
        self._count(len(data))
        if self.fast and not self.queue:
            self.out.write(data)
            return
        for toxic in self.link.applicable(self.stream):
            toxic.count("bytes", len(data))
        self.queue.append(_Chunk(self.loop.time(), data))
        self.queued += len(data)
        if self.queued > HIGH_WATER and self.source is not None:
            self.source.pause_reading()
        self._ensure_worker()
        self._wake.set()

    def feed_eof(self) -> None:
        self.eof = True
        self._ensure_worker()
        self._wake.set()

    async def flush(self, timeout: float = 30.0) -> None:
        """Wait until every queued chunk went out (or the link closed, or ``timeout``)."""
        deadline = self.loop.time() + timeout
        while self.queue and not self.link.closed and self.loop.time() < deadline:
            await asyncio.sleep(0.005)

    def _ensure_worker(self) -> None:
        if self._worker is None and not self.link.closed:
            self._worker = self.loop.create_task(self._run())

    async def _run(self) -> None:
        try:
            while not self.link.closed:
                if not self.queue:
                    if self.eof:
                        await self._finish()
                        return
                    if self.fast:
                        return
                    await self._wait(None)
                    continue
                await self._wait(self._step(self.link.applicable(self.stream)))
        finally:
            self._worker = None

    async def _wait(self, timeout: float | None) -> None:
        if timeout == 0:
            return
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _step(self, toxics: list[Toxic]) -> float | None:
        """Release what may go now; seconds to wait before the next try (None: until a change)."""
        if any(t.type == "timeout" for t in toxics):
            return None
        chunk = self.queue[0]
        now = self.loop.time()
        due = chunk.arrived + self._delay_of(chunk, toxics) - TIMER_SLACK
        if now < due:
            return due - now
        if now < self._ready_at and _paced(toxics):
            return self._ready_at - now
        self._release(self._take(chunk, toxics), toxics, now)
        return 0

    def _delay_of(self, chunk: _Chunk, toxics: list[Toxic]) -> float:
        if chunk.delay_version != self.link.proxy.version:
            latency = [t for t in toxics if t.type == "latency"]
            chunk.delay = sum(self._latency(t) for t in latency)
            chunk.delay_version = self.link.proxy.version
        return chunk.delay or 0.0

    def _latency(self, toxic: Toxic) -> float:
        jitter = toxic.number("jitter")
        spread = self.link.rng.uniform(-jitter, jitter) if jitter else 0.0
        return max(0.0, toxic.number("latency") + spread) / 1000.0

    def _take(self, chunk: _Chunk, toxics: list[Toxic]) -> bytes:
        size = len(chunk.data)
        for toxic in toxics:
            size = min(size, self._piece_size(toxic))
        if size >= len(chunk.data):
            self.queue.popleft()
            piece = chunk.data
        else:
            piece, chunk.data = chunk.data[:size], chunk.data[size:]
        self.queued -= len(piece)
        if self.queued < LOW_WATER and self.source is not None:
            self.source.resume_reading()
        return piece

    def _piece_size(self, toxic: Toxic) -> int:
        if toxic.type == "bandwidth" and toxic.number("rate") > 0:
            return max(1, int(toxic.number("rate") * 100))  # 100 ms worth (rate in KB/s)
        if toxic.type == "slicer" and toxic.number("average_size") > 0:
            variation = int(toxic.number("size_variation"))
            jitter = self.link.rng.randint(-variation, variation) if variation else 0
            return max(1, int(toxic.number("average_size")) + jitter)
        return 1 << 62

    def _release(self, piece: bytes, toxics: list[Toxic], now: float) -> None:
        pause = 0.0
        for toxic in toxics:
            if toxic.type == "bandwidth" and toxic.number("rate") > 0:
                pause += len(piece) / (toxic.number("rate") * 1000.0)
            elif toxic.type == "slicer":
                pause += toxic.number("delay") / 1_000_000.0
        self._ready_at = now + pause
        limited = self.link.limit(piece, toxics)
        if limited:
            self.out.write(limited)
        if len(limited) < len(piece) or self.link.limit_reached(toxics):
            self.link.close()

    async def _finish(self) -> None:
        delays = [
            t.number("delay") for t in self.link.applicable(self.stream) if t.type == "slow_close"
        ]
        if delays:
            await asyncio.sleep(max(delays) / 1000.0)
        self.link.pipe_finished(self)


def _paced(toxics: list[Toxic]) -> bool:
    return any(t.type in {"bandwidth", "slicer"} for t in toxics)
