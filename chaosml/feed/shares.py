"""The shares a slice-targeted corruption reports: changed overall, within the slice, outside it.

A global-mean monitor sees the overall share; the slice share is what the affected users see.
"""

from __future__ import annotations


def percent_of(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def slice_summary(records: int, changed: int, in_slice: int, changed_in_slice: int) -> str:
    """``changed 40 of 200 records (20.0%) overall; within the slice 40 of 50 (80.0%);
    outside it 0 of 150 (0.0%)``."""
    outside, changed_outside = records - in_slice, changed - changed_in_slice
    return (
        f"changed {changed} of {records} records ({percent_of(changed, records)}) overall; "
        f"within the slice {changed_in_slice} of {in_slice} "
        f"({percent_of(changed_in_slice, in_slice)}); outside it {changed_outside} of {outside} "
        f"({percent_of(changed_outside, outside)})"
    )


def share_counters(
    records: int, changed: int, in_slice: int, changed_in_slice: int
) -> dict[str, int | float]:
    """The counters behind :func:`slice_summary` (shares as fractions, for reports)."""
    return {
        "slice_records": in_slice,
        "slice_records_changed": changed_in_slice,
        "share_changed": round(changed / records, 6) if records else 0.0,
        "slice_share_changed": round(changed_in_slice / in_slice, 6) if in_slice else 0.0,
    }
