"""Time to detect, in words: what every summary shows of a run's expected alerts."""

from __future__ import annotations

from collections.abc import Sequence

from chaosml.reporting.journal_reader import AlertRecord


def detection(alert: AlertRecord) -> str:
    """``ModelServerDown 2.70s`` (fault → alert active), or ``ModelServerDown DID NOT FIRE``."""
    if not alert.fired:
        return f"{alert.name} DID NOT FIRE"
    ttd = alert.time_to_detect_s
    return f"{alert.name} {'fired' if ttd is None else f'{ttd:.2f}s'}"


def slowest_detection(alerts: Sequence[AlertRecord]) -> str:
    """One cell: the slowest time to detect, ``missed`` if an alert did not fire, ``—`` if none
    was expected."""
    if not alerts:
        return "—"
    if not all(a.fired for a in alerts):
        return "missed"
    times = [a.time_to_detect_s for a in alerts if a.time_to_detect_s is not None]
    return f"{max(times):.2f}s" if times else "fired"
