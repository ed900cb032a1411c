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

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # asyncio (~20 ms) is imported by the runs, not by every command's entry point
    import asyncio

SIGNALS = (signal.SIGINT, signal.SIGTERM)
OnSignal = Callable[[int], None]


class SignalRouter:
    """Remembers every SIGINT/SIGTERM; forwards them to the run attached at the time.

    One Python-level handler for the whole command, never swapped while it runs (swapping
    handlers opens windows where the default action, death by the raw signal, applies).
    """

    def __init__(self) -> None:
        self.received: list[int] = []
        self.delivered = 0  # how many of ``received`` a run has been told about
        self.is_installed = False
        self.until_exit = False  # the chaosml process itself: keep the handlers until it exits
        self._target: tuple[asyncio.AbstractEventLoop, OnSignal] | None = None

    @contextlib.contextmanager
    def installed(self, command: bool = True) -> Iterator[None]:
        """Catch SIGINT/SIGTERM for a whole command, before its first side effect (``command``:
        in the chaosml process they are then ignored until it exits)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
        self.received.clear()
        self.delivered = 0
        for sig in SIGNALS:
            signal.signal(sig, self._on_signal)
        self.is_installed = True
        try:
            yield
        finally:
            for sig in SIGNALS:
                # the chaosml process: its exit code is known, a late signal changes nothing
                # (SIG_IGN, not a Python handler: Python resets those while it shuts down)
                late = signal.SIG_IGN if command and self.until_exit else _handler(previous[sig])
                signal.signal(sig, late)
            self.is_installed = False

    def first(self) -> str | None:
        """The name of the first signal received, if any."""
        return signal.Signals(self.received[0]).name if self.received else None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        target = self._target
        if target is not None:
            self.delivered = len(self.received)
            loop, on_signal = target
            loop.call_soon_threadsafe(on_signal, signum)

    @contextlib.contextmanager
    def attached(self, on_signal: OnSignal) -> Iterator[None]:
        """Deliver signals to ``on_signal`` (in the running loop) while the block runs; the ones
        that came before (while the files loaded, say) are delivered at once."""
        if self.is_installed:
            with self._target_set(on_signal):
                yield
        else:  # a run started without the command (a library, a test): handlers for the run
            with self.installed(command=False), self._target_set(on_signal):
                yield

    @contextlib.contextmanager
    def _target_set(self, on_signal: OnSignal) -> Iterator[None]:
        import asyncio

        loop = asyncio.get_running_loop()
        self._target = (loop, on_signal)
        pending = self.received[self.delivered :]
        self.delivered = len(self.received)
        for signum in pending:
            loop.call_soon(on_signal, signum)
        try:
            yield
        finally:
            self._target = None


def _handler(previous: Any) -> Any:
    return signal.default_int_handler if previous is None else previous


ROUTER = SignalRouter()
