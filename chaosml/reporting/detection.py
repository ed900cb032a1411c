"""How every renderer shows a time to detect: with its uncertainty when that exceeds 50 ms
(the alert source's clock offset, issue 21), or "not proven" when the alert was already
active before the fault (issue 20, ``allow_already_firing``)."""

from __future__ import annotations

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
