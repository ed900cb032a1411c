"""A remote halt source read in a daemon thread of its own, twice a second.

The run never waits on the network: it looks at the latest answer. A source counts as
unreachable when its first read fails, after two failed reads in a row, or when no read has
succeeded for ``STALE_AFTER_S`` (a read that hangs); docs/safety.md.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from chaosml.errors import ChaosMLError
from chaosml.halt.record import HaltRecord
from chaosml.halt.sources import HaltSource

POLL_EVERY_S = 0.5
STALE_AFTER_S = 2.0
FAILURES_TO_UNREACHABLE = 2


@dataclass(frozen=True)
class Answer:
    record: HaltRecord | None
    error: str | None  # the source is unreachable: why
    answered: bool  # False until the first read ended


class RemotePoller:
    def __init__(self, source: HaltSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._record: HaltRecord | None = None
        self._error = ""
        self._failures = 0
        self._answered = False
        self._ok = False  # a read has succeeded
        self._ok_at = time.monotonic()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"chaosml-halt-{source.scope}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def answer(self) -> Answer:
        with self._lock:
            silent_s = time.monotonic() - self._ok_at
            never_read = self._failures > 0 and not self._ok
            if never_read or self._failures >= FAILURES_TO_UNREACHABLE or silent_s > STALE_AFTER_S:
                error = self._error or f"no answer for {silent_s:.1f} s"
                return Answer(None, error, True)
            return Answer(self._record, None, self._answered)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._read_once()
            self._stopped.wait(POLL_EVERY_S)

    def _read_once(self) -> None:
        try:
            record = self.source.read()
        except ChaosMLError as exc:
            self._failed(exc.message)
        except Exception as exc:  # a client library's own error: still unreachable
            self._failed(f"{type(exc).__name__}: {exc}")
        else:
            with self._lock:
                self._record, self._failures, self._error = record, 0, ""
                self._answered, self._ok, self._ok_at = True, True, time.monotonic()

    def _failed(self, message: str) -> None:
        with self._lock:
            self._failures += 1
            self._error = message
            self._answered = True
