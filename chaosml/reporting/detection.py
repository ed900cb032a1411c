"""How every renderer shows a time to detect: with its uncertainty when that exceeds 50 ms
(the alert source's clock offset, issue 21), or "not proven" when the alert was already
active before the fault (issue 20, ``allow_already_firing``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chaosml.labels import labels_text
from chaosml.reporting.journal_reader import AlertRecord

SHOWN_ABOVE_S = 0.05
NOT_PROVEN = "detection NOT PROVEN (already active before the fault)"


def time_to_detect_text(
    seconds: float | None,
    uncertainty: float | None = None,
    proven: bool | None = True,
    digits: int = 2,
) -> str:
    """``1.03s``, ``1.03s ± 0.12s``, ``detection NOT PROVEN (…)`` or ``unknown``."""
    if proven is False:
        return NOT_PROVEN
    if seconds is None:
        return "unknown"
    if uncertainty is not None and uncertainty > SHOWN_ABOVE_S:
        return f"{seconds:.{digits}f}s ± {uncertainty:.{max(digits, 2)}f}s"
    return f"{seconds:.{digits}f}s"


class FiredAlert(Protocol):
    name: str
    labels: dict[str, str]
    time_to_detect_s: float | None
    time_to_detect_uncertainty_s: float | None
    proven: bool | None
    not_counted: list[dict[str, Any]]

    @property
    def fired(self) -> bool: ...


def attribution_lines(alerts: Sequence[FiredAlert]) -> list[str]:
    """Markdown bullets: for each fired alert, the instance that counted and why the other
    matching instances did not (issue 20)."""
    lines = []
    for alert in alerts:
        if not alert.fired:
            continue
        detect = time_to_detect_text(
            alert.time_to_detect_s, alert.time_to_detect_uncertainty_s, alert.proven
        )
        lines.append(f"- alert **{alert.name}**: counted {labels_text(alert.labels)} — {detect}")
        lines += [
            f"  - not counted: {labels_text(o.get('labels') or {})} — {o.get('why')}"
            for o in alert.not_counted
        ]
    return ["", *lines] if lines else []


def detection(alert: AlertRecord) -> str:
    """``ModelServerDown 2.70s`` (fault → alert active, ``± u`` when the clock offset makes it
    uncertain), ``… NOT TESTED`` after a fault without effect, or ``… DID NOT FIRE``."""
    if not alert.tested:
        return f"{alert.name} NOT TESTED"
    if not alert.fired:
        return f"{alert.name} DID NOT FIRE"
    if alert.proven is not False and alert.time_to_detect_s is None:
        return f"{alert.name} fired"
    return f"{alert.name} " + time_to_detect_text(
        alert.time_to_detect_s, alert.time_to_detect_uncertainty_s, alert.proven
    )


def slowest_detection(alerts: Sequence[AlertRecord]) -> str:
    """One cell: the slowest time to detect, ``missed`` if an alert did not fire, ``not tested``
    if its fault had no effect, ``—`` if none was expected."""
    if not alerts:
        return "—"
    if not all(a.tested for a in alerts):
        return "not tested"
    if not all(a.fired for a in alerts):
        return "missed"
    if any(a.proven is False for a in alerts):
        return "not proven"
    times = [a.time_to_detect_s for a in alerts if a.time_to_detect_s is not None]
    return f"{max(times):.2f}s" if times else "fired"
