"""Apply one corruption to JSON documents: choose records with a seeded generator, change them.

Only records in the slice (``where``) may change; the chance of one that is depends on the
mechanism (:mod:`chaosml.feed.mechanism`). One draw is made for every record, in or out of the
slice, so a record's fate does not depend on the others'.

A corruptor is stateful on purpose: its random generator runs on across documents (so a stream
of one-record responses gets ``percent`` of them changed), and ``stale`` remembers the first
value it saw for each field. The same seed and the same documents give the same corruption.
"""

from __future__ import annotations

import json
import random
from typing import Any

from chaosml.feed.encoding import BYTES_ERRORS
from chaosml.feed.mechanism import chance
from chaosml.feed.modes import MODE_FUNCTIONS, Memory, memory_key, same
from chaosml.feed.paths import RecordKey, Slot, find_slots
from chaosml.feed.slices import SliceView
from chaosml.feed.spec import CorruptionSpec


class FeedCorruptor:
    """Corrupts ``spec.percent`` of the records that ``spec.fields`` reach in each document."""

    def __init__(self, spec: CorruptionSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.memory: Memory = {}
        self._mode = MODE_FUNCTIONS[spec.mode]
        self.documents = 0  # JSON documents read (evidence: how much the corruption saw)
        self.records_seen = 0
        self.slice_records = 0  # records the ``where`` predicates selected
        self.records_changed = 0
        self.fields_changed = 0

    def corrupt(self, doc: Any) -> int:
        """Change ``doc`` in place; the number of records changed."""
        changed = 0
        records = self._records(doc)
        in_slice = SliceView(doc, self.spec.where)
        mar = self.spec.depends_on if self.spec.mechanism == "mar" else None
        depends = SliceView(doc, [mar]) if mar is not None else None
        self.documents += 1
        self.records_seen += len(records)
        for key, slots in records.items():
            draw = self.rng.random() * 100
            self._remember(slots)
            if not in_slice.contains(key):
                continue
            self.slice_records += 1
            if draw < chance(self.spec, key, slots, depends) and self._changed(slots):
                changed += 1
        self.records_changed += changed
        return changed

    def touches_slice(self, doc: Any) -> bool:
        """Whether any record of ``doc`` is in the slice (no change, no draw, no count)."""
        in_slice = SliceView(doc, self.spec.where)
        return any(in_slice.contains(key) for key in self._records(doc))

    def _changed(self, slots: list[Slot]) -> bool:
        """Apply the mode to one record; count the fields it changed (renamed, dropped...)."""
        before = [_peek(slot) for slot in slots]
        if not self._mode(slots, self.spec, self.rng, self.memory):
            return False
        self.fields_changed += sum(
            1 for slot, old in zip(slots, before, strict=True) if not _kept(slot, old)
        )
        return True

    def corrupt_bytes(self, body: bytes) -> tuple[bytes, int] | None:
        """A rewritten JSON body and the records changed; None when the body is not JSON.

        When no record changed the original bytes come back untouched.
        """
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None
        changed = self.corrupt(doc)
        if not changed:
            return body, 0
        raw = self.spec.mode == "broken_encoding"  # keep its bytes raw, not \u-escaped
        text = json.dumps(doc, allow_nan=True, separators=(",", ":"), ensure_ascii=not raw)
        return text.encode("utf-8", BYTES_ERRORS), changed

    def _records(self, doc: Any) -> dict[RecordKey, list[Slot]]:
        grouped: dict[RecordKey, list[Slot]] = {}
        for path in self.spec.fields:
            for slot in find_slots(doc, path):
                grouped.setdefault(slot.record, []).append(slot)
        return grouped

    def _remember(self, slots: list[Slot]) -> None:
        for slot in slots:
            self.memory.setdefault(memory_key(slot), slot.value)


_GONE = object()


def _peek(slot: Slot) -> Any:
    try:
        return slot.container[slot.key]
    except (KeyError, IndexError):
        return _GONE


def _kept(slot: Slot, old: Any) -> bool:
    new = _peek(slot)
    return new is not _GONE and old is not _GONE and same(old, new)
