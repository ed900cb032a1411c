"""How every renderer shows a time to detect: with its uncertainty when that exceeds 50 ms
(the alert source's clock offset, issue 21), or "not proven" when the alert was already
active before the fault (issue 20, ``allow_already_firing``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chaosml.engine.attribution import labels_text

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
