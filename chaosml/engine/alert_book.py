"""What a run knows about its alert sources: their clock offsets and the moments alerts are
judged against (issue 20, issue 21). Kept on ``RunState.alert_book``; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the measuring module (HTTP clients) is imported by the runs that measure
    from chaosml.io.clock_offset import ClockOffset

SourceKey = tuple[str, str]  # (kind, base URL): ("prometheus", "http://127.0.0.1:9090")


@dataclass
class AlertBook:
    offsets: dict[SourceKey, ClockOffset] = field(default_factory=dict)  # measured at run start
    steady_wall: float | None = None  # when the steady-state check found the alerts inactive
    first_fault_wall: float | None = None  # the run's first fault's apply began (wall clock)

    def to_local(self, key: SourceKey, source_time: float | None) -> float | None:
        """A source's timestamp on chaosml's clock (unchanged when its offset is unknown)."""
        offset = self.offsets.get(key)
        if source_time is None or offset is None:
            return source_time
        return offset.to_local(source_time)

    def uncertainty(self, key: SourceKey) -> float | None:
        offset = self.offsets.get(key)
        return offset.uncertainty_s if offset is not None else None
