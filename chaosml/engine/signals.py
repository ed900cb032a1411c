"""SIGINT/SIGTERM for the whole process (docs/signals.md).

The commands that change things (``run``, ``gameday``) install ``ROUTER`` before their first side
effect; in the ``chaosml`` process (``until_exit``, set by its entry point) the handlers stay until
the process exits, elsewhere (a test, a library) they are handed back when the command returns. A
signal that arrives while no run is listening (while
the files load, between two experiments, after ``run.end``) is remembered, never the raw default
that would kill the process mid-write. A run attaches its own callback for as long as it runs;
signals remembered before it attached are handed to it at once, so it stops before it touches
anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
OnSignal = Callable[[int], None]


class SignalRouter:
    """Remembers every SIGINT/SIGTERM; forwards them to the run attached at the time."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.delivered = 0  # how many of ``received`` a run has been told about
        self.is_installed = False
        self.until_exit = False  # the chaosml process itself: keep the handlers until it exits

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Catch SIGINT/SIGTERM for a whole command, before its first side effect."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
        self.received.clear()
        self.delivered = 0
        for sig in SIGNALS:
            signal.signal(sig, self._remember)
        self.is_installed = True
        try:
            yield
        finally:
            for sig in SIGNALS:
                # the chaosml process: its exit code is known, a late signal changes nothing
                # (SIG_IGN, not a Python handler: Python resets those while it shuts down)
                signal.signal(sig, signal.SIG_IGN if self.until_exit else _handler(previous[sig]))
            self.is_installed = False

    def first(self) -> str | None:
        """The name of the first signal received, if any."""
        return signal.Signals(self.received[0]).name if self.received else None

    def _remember(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)

    @contextlib.contextmanager
    def attached(self, on_signal: OnSignal) -> Iterator[None]:
        """Deliver signals to ``on_signal`` (in the running loop) while the block runs."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
        loop = asyncio.get_running_loop()

        def deliver(signum: int) -> None:
            self.received.append(signum)
            self.delivered = len(self.received)
            on_signal(signum)

        for sig in SIGNALS:
            loop.add_signal_handler(sig, deliver, sig)
        for signum in self.received[self.delivered :]:  # came before the run listened
            self.delivered += 1
            on_signal(signum)
        try:
            yield
        finally:
            for sig in SIGNALS:
                loop.remove_signal_handler(sig)
                signal.signal(sig, self._remember if self.is_installed else _handler(previous[sig]))


def _handler(previous: Any) -> Any:
    return signal.default_int_handler if previous is None else previous


ROUTER = SignalRouter()
