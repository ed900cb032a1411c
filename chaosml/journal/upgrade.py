"""Old journals, read as today's: the format is detected from ``run.start`` and upgraded.

Format 1 (chaosml up to 813593a) has no ``journal_format`` in ``run.start``; its events are a
subset of today's (no ``pid_start``, undo ids ``u1``, … unique within a run only), so reading it
needs nothing but the version set. A later format that renames or reshapes a field adds a step
here, applied to the raw event before its class checks it.
"""

from __future__ import annotations

from typing import Any

from chaosml.journal.base import FIRST_FORMAT


def upgraded(raw: dict[str, Any]) -> dict[str, Any]:
    """One raw event in today's format; ``run.start`` carries its run's original format."""
    if raw.get("event") == "run.start" and "journal_format" not in raw:
        return {**raw, "journal_format": FIRST_FORMAT}
    return raw
