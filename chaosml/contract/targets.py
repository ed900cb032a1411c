"""Blast-radius targets: what a selector matched and what the run chose of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TargetMember:
    """One concrete thing a target selector matched (a container, a process)."""

    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolvedTarget:
    """A blast-radius target after selection: the members chosen out of ``matched``."""

    name: str
    kind: str  # the target driver's kind, e.g. "docker"
    members: tuple[TargetMember, ...]
    matched: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "matched": self.matched,
            "members": [{"id": m.id, "name": m.name} for m in self.members],
        }
