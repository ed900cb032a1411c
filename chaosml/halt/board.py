"""Every halt source one run or game day watches, read together.

Local files are read on every look (cheap); remote sources through a ``RemotePoller`` each.
``reading()`` never blocks on the network.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from chaosml.errors import ChaosMLError
from chaosml.halt.poller import RemotePoller
from chaosml.halt.record import HaltRecord
from chaosml.halt.sources import HaltSource

Policy = Literal["abort", "warn"]


@dataclass(frozen=True)
class ActiveHalt:
    source: HaltSource
    record: HaltRecord

    def message(self) -> str:
        what = "a global stop condition" if self.source.by != "halt" else "the halt switch"
        return f"{what} is on ({self.source.scope}: {self.source.where}): {self.record.describe()}"

    def fields(self) -> dict[str, str]:
        return {"scope": self.source.scope, "source": self.source.where, **self.record.fields()}


@dataclass(frozen=True)
class Unreachable:
    source: HaltSource
    error: str

    def fields(self) -> dict[str, str]:
        return {"scope": self.source.scope, "source": self.source.where, "error": self.error}


@dataclass(frozen=True)
class Reading:
    active: list[ActiveHalt] = field(default_factory=list)
    unreachable: list[Unreachable] = field(default_factory=list)


class HaltBoard:
    def __init__(self, sources: Sequence[HaltSource], policy: Policy = "abort") -> None:
        self.sources = list(sources)
        self.policy = policy
        self._pollers: dict[int, RemotePoller] = {}

    def start(self) -> HaltBoard:
        """Start polling the remote sources (``answered()`` tells when each has answered)."""
        for source in self.sources:
            if not source.local and id(source) not in self._pollers:
                self._pollers[id(source)] = RemotePoller(source)
        return self

    def answered(self) -> bool:
        """Every remote source has answered (or failed) at least once."""
        return all(poller.answer().answered for poller in self._pollers.values())

    def wait_answered(self, timeout: float) -> HaltBoard:
        """Block until every remote source has answered once, or ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        while not self.answered() and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def halted(self) -> bool:
        """A halt in force in a source that answered (a game day, between two experiments)."""
        return bool(self.reading().active)

    def stop(self) -> None:
        for poller in self._pollers.values():
            poller.stop()
        self._pollers.clear()

    def reading(self) -> Reading:
        active, unreachable = [], []
        for source in self.sources:
            record, error = self._look(source)
            if error is not None:
                unreachable.append(Unreachable(source, error))
            elif record is not None:
                active.append(ActiveHalt(source, record))
        return Reading(active, unreachable)

    def _look(self, source: HaltSource) -> tuple[HaltRecord | None, str | None]:
        poller = self._pollers.get(id(source))
        if poller is not None:
            answer = poller.answer()
            return answer.record, answer.error
        try:
            return source.read(), None
        except ChaosMLError as exc:
            return None, exc.message


def read_once(sources: Sequence[HaltSource]) -> Reading:
    """Every source read directly, once (``chaosml halt --status``, a game day's checks)."""
    return HaltBoard(sources).reading()
