"""The search for a detection boundary, as pure logic: which value to try next, when to stop.

The caller gives ``trial(value) -> fired`` (one complete run) and a clock; the search tries the
high bound, then the low bound, then bisects (on a log or linear scale) between the largest value
that stayed silent and the smallest that fired, with ``trials_per_point`` trials a point (a
point fires when more than half of its trials fired), until the bracket is narrower than the
tolerance or the trial or time budget is spent.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from chaosml.engine.clock import Clock
from chaosml.model.sensitivity import Sensitivity

Trial = Callable[[float], Awaitable[bool]]
Found = Literal["found", "fires-at-low", "not-detected", "budget", "stopped"]


class SearchStopped(Exception):
    """A trial ended the search (a signal, the halt switch, a tool error); the caller knows why."""


@dataclass
class Point:
    value: float
    fired: list[bool] = field(default_factory=list)

    @property
    def fires(self) -> bool:
        return sum(self.fired) * 2 > len(self.fired)


@dataclass
class Boundary:
    """``low_fires``: the smallest value that fired; ``high_silent``: the largest that stayed
    silent (None when no tried value did)."""

    how: Found
    low_fires: float | None
    high_silent: float | None
    points: list[Point]
    trials: int

    @property
    def estimate(self) -> float | None:
        if self.low_fires is None or self.high_silent is None:
            return self.low_fires
        return (self.low_fires + self.high_silent) / 2

    @property
    def uncertainty(self) -> float | None:
        """Half the width of the bracket, in the parameter's unit."""
        if self.low_fires is None or self.high_silent is None:
            return None
        return (self.low_fires - self.high_silent) / 2


def midpoint(low: float, high: float, scale: str) -> float:
    return math.sqrt(low * high) if scale == "log" else (low + high) / 2


def narrow_enough(low: float, high: float, spec: Sensitivity) -> bool:
    if spec.scale == "log":
        return high / low - 1 <= spec.tolerance
    return high - low <= spec.tolerance


@dataclass
class Bisection:
    spec: Sensitivity
    trial: Trial
    clock: Clock
    points: list[Point] = field(default_factory=list)
    trials: int = 0
    started: float = 0.0

    async def run(self) -> Boundary:
        self.started = self.clock.monotonic()
        try:
            return await self._search()
        except SearchStopped:
            return self._result("stopped")

    async def _search(self) -> Boundary:
        spec = self.spec
        if not await self._point(spec.high):
            return self._result("not-detected")
        if self._spent() or await self._point(spec.low):
            return self._result("budget" if self._spent() else "fires-at-low")
        while not self._converged():
            if self._spent():
                return self._result("budget")
            low, high = self._bracket()
            await self._point(_rounded(midpoint(low, high, spec.scale)))
        return self._result("found")

    async def _point(self, value: float) -> bool:
        point = Point(value)
        self.points.append(point)
        for _ in range(self.spec.trials_per_point):
            point.fired.append(await self.trial(value))
            self.trials += 1
        return point.fires

    def _spent(self) -> bool:
        over_time = self.clock.monotonic() - self.started >= self.spec.max_time
        return over_time or self.trials + self.spec.trials_per_point > self.spec.max_trials

    def _bracket(self) -> tuple[float, float]:
        silent = [p.value for p in self.points if not p.fires]
        fired = [p.value for p in self.points if p.fires]
        high = min(fired)
        below = [v for v in silent if v < high]
        return (max(below) if below else self.spec.low), high

    def _converged(self) -> bool:
        low, high = self._bracket()
        return narrow_enough(low, high, self.spec)

    def _result(self, how: Found) -> Boundary:
        fired = [p.value for p in self.points if p.fires]
        low_fires = min(fired) if fired else None
        silent = [p.value for p in self.points if not p.fires and p.fired]
        if low_fires is not None:
            silent = [v for v in silent if v < low_fires]
        high_silent = max(silent) if silent else None
        return Boundary(how, low_fires, high_silent, list(self.points), self.trials)


def _rounded(value: float) -> float:
    """Four significant digits: the values a person reads in the table and the journal."""
    return float(f"{value:.4g}")
