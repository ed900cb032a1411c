"""One run's cancellation token: set when the run is aborted, read by its driver calls.

Besides, every driver call runs with its deadline in its context (``call_deadline``): the SDK
wrappers (subprocesses, the HTTP client, the Docker client) bound their own timeouts by it, so a
call gives up by itself instead of outliving its step, even where a driver forgot to.

The engine cancels the token when a guard, the halt switch, the deadline or a signal stops the
run; every cancel also runs the callbacks registered on it (the run's commands are killed that
way). Drivers check ``cancelled`` between their blocking steps and stop early.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

from chaosml.errors import DriverError


class CallCancelled(DriverError):
    """A driver call stopped because its run was cancelled."""


class CancelToken:
    """Thread-safe: set from the event loop, read from driver threads."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []
        self.reason = ""

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self, reason: str = "the run was cancelled") -> None:
        """Mark cancelled (the first reason stays) and run every callback, each time it is
        called: a second signal kills the commands the rollback started meanwhile."""
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def check(self, what: str) -> None:
        """Raise CallCancelled when the run was cancelled (drivers call this between steps)."""
        if self.cancelled:
            raise CallCancelled(f"{what} stopped: {self.reason}")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early when cancelled; True when cancelled."""
        return self._event.wait(max(0.0, seconds))


# when the driver call running in this context must return (time.monotonic()); set by the engine
_call_deadline: ContextVar[float | None] = ContextVar("chaosml_call_deadline", default=None)


def set_call_deadline(deadline: float | None) -> None:
    """Called in a driver call's own context (its thread), before the call runs."""
    _call_deadline.set(deadline)


def seconds_left(default: float, floor: float = 0.1) -> float:
    """``default``, or less when the driver call running here must return sooner."""
    deadline = _call_deadline.get()
    if deadline is None:
        return default
    return max(floor, min(default, deadline - time.monotonic()))
