"""The event loop the proxy runs on: uvloop when installed (the one place it is imported)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def fast_loop_factory() -> LoopFactory | None:
    """uvloop's loop when it is installed, else None (asyncio's default loop).

    uvloop roughly halves the latency the proxy adds per round trip; everything works without it.
    ``CHAOSML_PROXY_LOOP=asyncio`` forces asyncio's own loop.
    """
    if os.environ.get("CHAOSML_PROXY_LOOP") == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
