"""The silent-failure matrix, as pure logic (docs/silent-failures.md).

Each run is classified per alert by two facts: was there harm (an ``impact:`` probe failed its
expectation while the faults were in place) and did the alert fire:

    harm + alert      caught
    harm, no alert    silent failure   (ends the run with exit 1)
    alert, no harm    noisy alert
    neither           benign

A run with harm and no alert watched at all is a silent failure of the monitoring as a whole
(the row ``NO_ALERT``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Cell = Literal["caught", "silent failure", "noisy alert", "benign"]
CELLS: tuple[Cell, ...] = ("caught", "silent failure", "noisy alert", "benign")
NO_ALERT = "(no alert watched)"


def classify(harm: bool, fired: bool) -> Cell:
    if harm:
        return "caught" if fired else "silent failure"
    return "noisy alert" if fired else "benign"


@dataclass(frozen=True)
class Classified:
    """One alert's cell in one run (the ``alert.classified`` event)."""

    alert: str
    cell: Cell
    harm: bool
    fired: bool
    expected: Literal["fire", "quiet", "none"]  # expect_alert, expect_no_alert, or no alert
    ml_test_score: tuple[str, ...] = ()


def one_line(rows: Iterable[Classified], harm_reason: str) -> str | None:
    """The one line a silent failure ends the run with (None: no silent failure)."""
    silent = [r.alert for r in rows if r.cell == "silent failure"]
    if not silent:
        return None
    return (
        f"silent failure: users were harmed ({harm_reason}) and {', '.join(silent)} stayed silent"
    )


def violations(rows: Iterable[Classified]) -> list[str]:
    """Alerts that must stay quiet and fired anyway."""
    return [
        f"{r.alert} fired though it must stay quiet ({r.cell})"
        for r in rows
        if r.expected == "quiet" and r.fired
    ]
