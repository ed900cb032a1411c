"""Run the proxy server in the foreground until SIGINT/SIGTERM (``chaosml proxy serve``)."""

from __future__ import annotations

import asyncio
import signal
import sys

from chaosml.errors import InputError
from chaosml.proxy.config import load_proxies
from chaosml.proxy.errors import ApiError
from chaosml.proxy.loops import fast_loop_factory
from chaosml.proxy.server import DEFAULT_API, ProxyServer


def run_forever(
    api: str = DEFAULT_API,
    config: str | None = None,
    *,
    allow_remote: bool = False,
    token: str | None = None,
) -> None:
    """Serve until a signal; raises InputError for a refused bind or a bad config file."""
    server = ProxyServer(api, token=token, allow_remote=allow_remote)
    declared = load_proxies(config) if config else []
    with asyncio.Runner(loop_factory=fast_loop_factory()) as runner:
        runner.run(_serve(server, declared))


async def _serve(server: ProxyServer, declared: list[dict[str, object]]) -> None:
    await server.start()
    try:
        try:
            await server.collection.populate(declared)
        except ApiError as exc:
            raise InputError(f"proxy config: {exc.message}", hint="fix the --config file") from None
        print(f"chaosml proxy API listening on {server.api_url}", flush=True)
        for proxy in server.collection.proxies.values():
            print(
                f"  proxy {proxy.name}: {proxy.listen} -> {proxy.upstream} ({proxy.protocol})",
                flush=True,
            )
        await _until_signal()
    finally:
        await server.close()


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print("chaosml proxy stopped", file=sys.stderr, flush=True)
