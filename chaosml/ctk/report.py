"""What ``chaosml import`` did with each part of a Chaos Toolkit experiment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["native", "compat", "dropped"]
EXIT_NATIVE = 0
EXIT_PARTIAL = 1  # something runs through compatibility, or was dropped


@dataclass(frozen=True)
class Note:
    where: str  # the source location, e.g. "method[2] 'terminate pods'"
    outcome: Outcome
    text: str


@dataclass
class ConversionReport:
    notes: list[Note] = field(default_factory=list)

    def add(self, where: str, outcome: Outcome, text: str) -> None:
        self.notes.append(Note(where, outcome, text))

    def of(self, outcome: Outcome) -> list[Note]:
        return [n for n in self.notes if n.outcome == outcome]

    def exit_code(self) -> int:
        return EXIT_NATIVE if not self.of("compat") and not self.of("dropped") else EXIT_PARTIAL

    def render(self) -> str:
        lines = [
            f"converted: {len(self.of('native'))} native, {len(self.of('compat'))} through "
            f"compatibility, {len(self.of('dropped'))} dropped"
        ]
        for outcome in ("native", "compat", "dropped"):
            for note in self.of(outcome):
                lines.append(f"  {outcome:<8} {note.where}: {note.text}")
        return "\n".join(lines)
