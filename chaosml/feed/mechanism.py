"""The missingness mechanism: the chance (in percent) that a record in the slice is changed.

- ``mcar`` (missing completely at random): ``percent`` for every record.
- ``mar`` (missing at random): depends on another field: ``percent`` where ``depends_on``
  holds for that field, ``percent_otherwise`` elsewhere (high incomes dropped more often).
- ``mnar`` (missing not at random): depends on the corrupted value itself: ``percent`` where
  ``depends_on`` holds for any of the record's corrupted values, ``percent_otherwise`` elsewhere
  (large values dropped more often).
"""

from __future__ import annotations

from chaosml.feed.paths import RecordKey, Slot
from chaosml.feed.slices import SliceView
from chaosml.feed.spec import CorruptionSpec


def chance(
    spec: CorruptionSpec, record: RecordKey, slots: list[Slot], depends: SliceView | None
) -> float:
    if spec.mechanism == "mcar" or spec.depends_on is None:
        return spec.percent
    if depends is not None:
        hit = depends.contains(record)
    else:
        hit = any(spec.depends_on.holds(slot.value) for slot in slots)
    return spec.percent if hit else spec.percent_otherwise
