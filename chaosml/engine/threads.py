"""Run a blocking driver call in a daemon thread, bounded by a timeout.

Daemon threads (not the default executor) so that a driver call hung on a dead backend can
never keep chaosml from exiting once the run is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable
from typing import TypeVar

from chaosml.errors import DriverError

T = TypeVar("T")


class CallTimeout(DriverError):
    """A driver call did not return within its timeout."""


async def call_blocking(func: Callable[[], T], timeout: float, what: str) -> T:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def report(result: T | None, error: BaseException | None) -> None:
        # once the run is over its loop is closed: nobody waits any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    def work() -> None:
        try:
            result = func()
        except BaseException as exc:
            report(None, exc)
            return
        report(result, None)

    context = contextvars.copy_context()  # a driver's commands are journaled by its run
    threading.Thread(target=context.run, args=(work,), name=f"chaosml:{what}", daemon=True).start()
    # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives as
    # the call completes, and an abort must never be lost
    try:
        done, _ = await asyncio.wait({future}, timeout=timeout)
    finally:  # cancelled or timed out: a late result or error is dropped, never logged
        if not future.done():
            future.cancel()
        elif not future.cancelled():
            future.exception()  # marks it retrieved ("Future exception was never retrieved")
    if not done:
        raise CallTimeout(f"{what} did not finish within {timeout:g}s")
    return future.result()
