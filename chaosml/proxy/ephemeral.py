"""A proxy chaosml starts for one run and stops at its end, in a background thread.

handle = start_ephemeral("127.0.0.1:0", "127.0.0.1:8080", "http")
handle.api_url   # http://127.0.0.1:PORT  (the control API, for proxy faults)
handle.listen    # 127.0.0.1:PORT         (where clients connect)
handle.name      # the proxy's name in the API ("ephemeral" unless given)
handle.stop()
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.proxy.errors import ApiError
from chaosml.proxy.loops import fast_loop_factory
from chaosml.proxy.server import ProxyServer

START_TIMEOUT_S = 10.0


@dataclass
class EphemeralProxy:
    """A running ephemeral proxy."""

    name: str
    listen: str
    api_url: str
    _loop: asyncio.AbstractEventLoop = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stopped: asyncio.Event = field(repr=False)

    def stop(self) -> None:
        """Close the proxy and its connections; safe to call twice."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout=START_TIMEOUT_S)


def start_ephemeral(
    listen: str, upstream: str, protocol: str = "tcp", *, name: str = "ephemeral"
) -> EphemeralProxy:
    """Start a proxy ``listen`` → ``upstream`` with its API on a free loopback port."""
    ready = threading.Event()
    box: dict[str, object] = {}
    thread = threading.Thread(
        target=_run_loop,
        args=(_main(listen, upstream, protocol, name, ready, box),),
        name=f"chaosml-proxy-{name}",
        daemon=True,
    )
    thread.start()
    if not ready.wait(START_TIMEOUT_S) or "error" in box:
        raise InfrastructureError(
            f"ephemeral proxy {listen} -> {upstream} did not start: {box.get('error')}"
        )
    loop, stopped = box["loop"], box["stopped"]
    assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stopped, asyncio.Event)
    return EphemeralProxy(name, str(box["listen"]), str(box["api_url"]), loop, thread, stopped)


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    with asyncio.Runner(loop_factory=fast_loop_factory()) as runner:
        runner.run(main)


async def _main(
    listen: str,
    upstream: str,
    protocol: str,
    name: str,
    ready: threading.Event,
    box: dict[str, object],
) -> None:
    server = ProxyServer("127.0.0.1:0")
    stopped = asyncio.Event()
    try:
        await server.start()
        proxy = await server.collection.create(
            {"name": name, "listen": listen, "upstream": upstream, "protocol": protocol}
        )
    except (ChaosMLError, ApiError) as exc:
        box["error"] = getattr(exc, "message", str(exc))
        ready.set()
        await server.close()
        return
    box.update(
        listen=proxy.listen,
        api_url=server.api_url,
        loop=asyncio.get_running_loop(),
        stopped=stopped,
    )
    ready.set()
    await stopped.wait()
    await server.close()
