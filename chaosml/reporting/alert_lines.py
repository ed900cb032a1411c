"""Console lines of the alert events: fired (which instance counted, with its uncertainty or
"not proven"), resolved (and what was not waited on), and each source's clock offset."""

from __future__ import annotations

from chaosml.journal.events import AlertFired, AlertResolved, ClockOffset
from chaosml.labels import labels_text
from chaosml.reporting.detection import time_to_detect_text

__all__ = ["alert_fired_line", "alert_resolved_line", "clock_offset_line", "time_to_detect_text"]

Line = tuple[str, str | None]


def alert_fired_line(e: AlertFired) -> Line:
    shown = time_to_detect_text(e.time_to_detect_s, e.time_to_detect_uncertainty_s, e.proven)
    if e.proven is False:
        text = f"🔔 alert {e.name} {e.state} — {shown}: {e.not_proven_why or ''}"
        return text, "bold yellow"
    text = f"🔔 alert {e.name} {e.state} — detected {shown} after the fault"
    for other in e.not_counted or []:
        text += f"\n      not counted: {labels_text(other.get('labels') or {})} {other.get('why')}"
    return text, "green"


def alert_resolved_line(e: AlertResolved) -> Line:
    ttr = e.time_to_resolve_s
    text = f"alert {e.name} resolved" + (
        f" {ttr:.2f}s after the rollback" if ttr is not None else ""
    )
    for other in e.not_waited_on or []:
        text += f"\n      still {other.get('state')}, not waited on: "
        text += f"{labels_text(other.get('labels') or {})} {other.get('why')}"
    return text, "green"


def clock_offset_line(e: ClockOffset) -> Line:
    where = f"{e.source} at {e.url}"
    if e.error:
        return f"⚠ clock of {where} not measured ({e.error}): times uncorrected", "yellow"
    if e.warning:
        return f"⚠ WARNING: {e.warning}", "bold yellow"
    offset, spread = e.offset_s or 0.0, e.uncertainty_s or 0.0
    return f"clock of {where}: offset {offset * 1000:+.1f} ms ± {spread * 1000:.1f} ms", None
