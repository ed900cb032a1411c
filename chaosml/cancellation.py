"""One run's cancellation token: set when the run is aborted, read by its driver calls.

The engine cancels the token when a guard, the halt switch, the deadline or a signal stops the
run; every cancel also runs the callbacks registered on it (the run's commands are killed that
way). Drivers check ``cancelled`` between their blocking steps and stop early.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

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
