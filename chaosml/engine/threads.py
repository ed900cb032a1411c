"""Blocking driver calls of one run, each in a daemon thread bounded by a timeout.

Daemon threads (not a shared executor) so that a driver call hung on a dead backend can never
keep chaosml from exiting once the run is over. A timeout or an abort stops the *wait*, not the
thread: the ``Call`` handle stays, so the engine can wait for a fault's ``apply()`` to finish
before running its undo (``UndoStack.revert``). Every run has its own ``RunCalls``; two runs in
one process (a game day) never share one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from chaosml import cancellation
from chaosml.errors import DriverError

T = TypeVar("T")


class CallTimeout(DriverError):
    """A driver call did not return within its timeout."""


@dataclass(eq=False)  # hashed by identity: one call is one thread
class Call(Generic[T]):
    """One driver call in its thread: the engine may stop waiting, the thread goes on."""

    what: str
    timeout: float
    future: asyncio.Future[T]
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None  # time.monotonic() when the thread returned
    error: BaseException | None = None
    abandoned: bool = False  # the engine stopped waiting (timeout or abort) before it returned
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def deadline(self) -> float:
        return self.started + self.timeout

    def overran_s(self, now: float | None = None) -> float:
        """How long the call ran past its timeout (so far, when it is still running)."""
        end = self.ended if self.ended is not None else (now or time.monotonic())
        return max(0.0, end - self.deadline)

    async def finish(self, bound: float) -> bool:
        """Wait up to ``bound`` seconds for the thread to return; True when it has."""
        if not self.finished.is_set():
            await asyncio.wait({self.future}, timeout=bound)
        return self.finished.is_set()


class RunCalls:
    """The blocking driver calls of one run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._running: set[Call[Any]] = set()

    def running(self) -> list[Call[Any]]:
        with self._lock:
            return list(self._running)

    def start(self, func: Callable[[], T], timeout: float, what: str) -> Call[T]:
        loop = asyncio.get_running_loop()
        call: Call[T] = Call(what, timeout, loop.create_future())
        call.future.add_done_callback(_retrieve)  # nobody may be waiting any more
        with self._lock:
            self._running.add(call)
        context = contextvars.copy_context()  # a driver's commands are journaled by its run
        context.run(cancellation.set_call_deadline, call.deadline)  # SDK timeouts end by it
        thread = threading.Thread(
            target=context.run,
            args=(self._work, call, func, loop),
            name=f"chaosml:{self.name}:{what}",
            daemon=True,
        )
        thread.start()
        return call

    def _work(self, call: Call[T], func: Callable[[], T], loop: asyncio.AbstractEventLoop) -> None:
        result: T | None = None
        try:
            result = func()
        except BaseException as exc:
            call.error = exc
        call.ended = time.monotonic()
        with self._lock:
            self._running.discard(call)
        call.finished.set()
        # once the run is over its loop is closed: nobody waits any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, call.future, result, call.error)

    async def result(self, call: Call[T]) -> T:
        """The call's result, waiting at most until its timeout. On a timeout or an abort the
        call is marked ``abandoned``: its thread may still be running."""
        try:
            # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives as the call completes, and an abort must never be lost
            done, _ = await asyncio.wait({call.future}, timeout=call.timeout)
        except asyncio.CancelledError:
            call.abandoned = not call.finished.is_set()
            raise
        if not done:
            call.abandoned = True
            raise CallTimeout(f"{call.what} did not finish within {call.timeout:g}s")
        return call.future.result()

    async def call(self, func: Callable[[], T], timeout: float, what: str) -> T:
        return await self.result(self.start(func, timeout, what))


def _settle(future: asyncio.Future[T], result: T | None, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


_current: contextvars.ContextVar[RunCalls | None] = contextvars.ContextVar(
    "chaosml_run_calls", default=None
)


@contextlib.contextmanager
def scoped(calls: RunCalls) -> Iterator[RunCalls]:
    """Make ``calls`` the executor of the run inside (asyncio tasks copy it, runs do not share)."""
    token = _current.set(calls)
    try:
        yield calls
    finally:
        _current.reset(token)


def current() -> RunCalls:
    """The running run's executor; outside a run, a fresh one of its own."""
    return _current.get() or RunCalls("call")


async def call_blocking(func: Callable[[], T], timeout: float, what: str) -> T:
    return await current().call(func, timeout, what)
