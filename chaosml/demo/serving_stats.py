"""Rolling means of the valid serving values per feature (training/serving skew, M3)."""

from __future__ import annotations

import threading
from collections import deque


class RollingMeans:
    """The mean of the last ``window`` valid values of each feature.

    A feature's mean is reported only once it has ``min_count`` values (half the window by
    default), so the first few requests after a start do not look like skew.
    """

    def __init__(self, window: int, min_count: int | None = None) -> None:
        self.window = window
        self.min_count = max(1, window // 2 if min_count is None else min_count)
        self._values: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def add(self, values: dict[str, float]) -> None:
        with self._lock:
            for name, value in values.items():
                self._values.setdefault(name, deque(maxlen=self.window)).append(value)

    def means(self) -> dict[str, float]:
        with self._lock:
            return {
                name: sum(vals) / len(vals)
                for name, vals in self._values.items()
                if len(vals) >= self.min_count
            }
