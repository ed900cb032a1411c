"""What a fault leaves in the journal: its undo record and the evidence of its effect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UndoRecord:
    """What it takes to reverse one fault: plain JSON data, never a closure.

    ``kind`` names the driver whose ``undo()`` replays it; ``data`` holds what it needs
    (container ids, a toxic's name and proxy API, a snapshot's path and checksum).
    """

    kind: str
    data: dict[str, Any]
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data, "description": self.description}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UndoRecord:
        return cls(
            kind=str(raw["kind"]), data=dict(raw["data"]), description=str(raw["description"])
        )


Counter = int | float | str


@dataclass(frozen=True)
class Evidence:
    """What a fault actually did: ``effect`` (did it change anything?), a one-line ``summary``
    for the console and reports, and the counters it is based on."""

    effect: bool
    summary: str
    counters: Mapping[str, Counter] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"effect": self.effect, "summary": self.summary, "counters": dict(self.counters)}
