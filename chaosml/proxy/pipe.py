"""One direction of a proxied connection: bytes in, TCP toxics applied, bytes out.

With no toxic on its stream a pipe writes each chunk straight to the peer transport (the fast
path: no queue, no task, no timer). As soon as a toxic applies, chunks queue with their arrival
time and a worker task releases them when the toxics allow: after the latency (never before
it), at the bandwidth rate, in slices, up to a data limit. A ``timeout`` toxic drops what
arrives (as Toxiproxy does); ``reset_peer`` drops the first data and resets the connection
``timeout`` ms later. The worker re-reads the proxy's toxics whenever they change, so a toxic
added or removed reaches connections that are already open.

Backpressure: the source stops reading while the queue holds more than HIGH_WATER bytes or the
peer's write buffer is full (``pause_output``), and the worker releases nothing while it is
full; so memory stays bounded (a few MB per connection) whatever the toxics.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosml.proxy.toxics import Toxic

if TYPE_CHECKING:
    from chaosml.proxy.link import Link

HIGH_WATER = 2 * 1024 * 1024
LOW_WATER = 512 * 1024
PRECISE_WAIT = 0.001
ROOM_POLL = 0.002


@dataclass
class _Chunk:
    arrived: float
    data: bytes
    delay: float | None = None  # latency + jitter drawn for this chunk
    delay_version: int = -1
    slices: deque[int] | None = None  # the slicer's cut of this chunk, piece sizes in order


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
        self.out_blocked = False  # the peer's write buffer is full
        self._queue_full = False
        self._source_paused = False
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
        self.queue.append(_Chunk(time.monotonic(), data))
        self.queued += len(data)
        if self.queued > HIGH_WATER and not self._queue_full:
            self._queue_full = True
            self._sync_source()
        self._ensure_worker()
        self._wake.set()

    def pause_output(self) -> None:
        """The peer's write buffer is full: stop reading the source, release nothing."""
        self.out_blocked = True
        self._sync_source()

    def resume_output(self) -> None:
        self.out_blocked = False
        self._sync_source()
        self._wake.set()

    def release_source(self) -> None:
        """The source was paused while the link was wired: resume it unless the queue or the
        peer's buffer is full."""
        self._source_paused = True
        self._sync_source()

    def _sync_source(self) -> None:
        paused = self.out_blocked or self._queue_full
        if self.source is None or paused == self._source_paused or self.link.closed:
            return
        self._source_paused = paused
        if paused:
            self.source.pause_reading()
        else:
            self.source.resume_reading()

    def _drop_queue(self) -> None:
        self.queue.clear()
        self.queued = 0
        self._queue_full = False
        self._sync_source()

    async def room(self) -> None:
        """Wait while the queue or the peer's write buffer is full: backpressure for feeders
        that are coroutines (the HTTP relay), which have no transport to pause."""
        while not self.link.closed and (
            self.queued > HIGH_WATER or self.out.get_write_buffer_size() > HIGH_WATER
        ):
            await asyncio.sleep(ROOM_POLL)

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
        """Until ``timeout`` or a change; the last ms before a due time passes by yielding to
        the loop (its timers fire up to ~1 ms off: a latency toxic would be late by that)."""
        if timeout == 0:
            return
        if timeout is not None and timeout <= PRECISE_WAIT:
            await asyncio.sleep(0)
            return
        self._wake.clear()
        if timeout is not None:
            timeout -= PRECISE_WAIT
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _step(self, toxics: list[Toxic]) -> float | None:
        """Release what may go now; seconds to wait before the next try (None: until a change)."""
        if self._swallowed(toxics) or self.out_blocked:
            return None
        chunk = self.queue[0]
        now = time.monotonic()  # not loop.time(): uvloop's counts whole ms (would release early)
        due = chunk.arrived + self._delay_of(chunk, toxics)
        if now < due:
            return due - now
        if now < self._ready_at and _paced(toxics):
            return self._ready_at - now
        self._release(self._take(chunk, toxics), toxics, now)
        return 0

    def _swallowed(self, toxics: list[Toxic]) -> bool:
        """Drop the queue under ``timeout`` and ``reset_peer`` (which also arms the reset)."""
        reset = next((t for t in toxics if t.type == "reset_peer"), None)
        if reset is not None:
            self.link.arm_reset(reset.number("timeout") / 1000.0)
        if reset is None and not any(t.type == "timeout" for t in toxics):
            return False
        self._drop_queue()
        return True

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
        size = min(len(chunk.data), self._slice_size(chunk, toxics))
        for toxic in toxics:
            size = min(size, self._piece_size(toxic))
        if size >= len(chunk.data):
            self.queue.popleft()
            piece = chunk.data
        else:
            piece, chunk.data = chunk.data[:size], chunk.data[size:]
        if chunk.slices:
            chunk.slices[0] -= len(piece)
            if chunk.slices[0] <= 0:
                chunk.slices.popleft()
        self.queued -= len(piece)
        if self.queued < LOW_WATER and self._queue_full:
            self._queue_full = False
            self._sync_source()
        return piece

    def _slice_size(self, chunk: _Chunk, toxics: list[Toxic]) -> int:
        """The size of the chunk's next slice under a ``slicer`` toxic (cut once per chunk)."""
        slicer = next((t for t in toxics if t.type == "slicer"), None)
        if slicer is None or slicer.number("average_size") <= 0:
            return 1 << 62
        if chunk.slices is None:
            average, variation = slicer.number("average_size"), slicer.number("size_variation")
            cut = slice_sizes(len(chunk.data), int(average), int(variation), self.link.rng)
            chunk.slices = deque(cut)
        return chunk.slices[0] if chunk.slices else 1 << 62

    def _piece_size(self, toxic: Toxic) -> int:
        if toxic.type == "bandwidth" and toxic.number("rate") > 0:
            return max(1, int(toxic.number("rate") * 100))  # 100 ms worth (rate in KB/s)
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


def slice_sizes(total: int, average: int, variation: int, rng: random.Random) -> list[int]:
    """Toxiproxy's slicer cut: halve (moved by up to ``variation``) until a piece is no more
    than ``variation`` above ``average``; so pieces average about ``average`` bytes."""
    sizes: list[int] = []
    spans = [(0, total)]
    while spans:
        start, end = spans.pop()
        if (end - start) - average <= variation:
            sizes.append(end - start)
            continue
        mid = start + (end - start) // 2
        if variation > 0:
            mid += rng.randrange(variation * 2) - variation
        mid = min(max(mid, start + 1), end - 1)
        spans += [(mid, end), (start, mid)]
    return [size for size in sizes if size > 0]


def _paced(toxics: list[Toxic]) -> bool:
    return any(t.type in {"bandwidth", "slicer"} for t in toxics)
