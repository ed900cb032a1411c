"""feed.corrupt modes: the right share of records changed, the rest identical, seeded."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

from chaosml.feed import MODES, CorruptionSpec, FeedCorruptor

COUNT = 1000
PERCENT = 30.0
# binomial(1000, 0.3): sd ~ 14.5; 5 sd either side
TOLERANCE = 5 * math.sqrt(COUNT * PERCENT / 100 * (1 - PERCENT / 100))


def records() -> dict[str, Any]:
    return {"records": [record(i) for i in range(COUNT)]}


def record(i: int) -> dict[str, Any]:
    country = ("DE", "FR", "ES")[i % 3]
    return {
        "id": i,
        "age": 20 + i,
        "income": 1000.0 + i * 7.5,
        "country": country,
        "city": f"Zürich {i}",
    }


FIELDS = {mode: ["$.records[*].age", "$.records[*].income"] for mode in MODES}
FIELDS["stale"] = ["$.records[*].income"]
FIELDS["category_shift"] = ["$.records[*].country"]
FIELDS["broken_encoding"] = ["$.records[*].city"]
KNOBS: dict[str, dict[str, Any]] = {
    "category_shift": {"mapping": {"DE": "de", "FR": "fr", "ES": "es"}},
    "broken_encoding": {"encoding": "truncated_utf8"},
    "clip": {"high": 500},
}


def canonical(record: Any) -> str:
    return json.dumps(record, sort_keys=True, allow_nan=True)


def corrupted(mode: str, seed: int) -> tuple[dict[str, Any], int]:
    doc = records()
    knobs = KNOBS.get(mode, {})
    spec = CorruptionSpec(mode=mode, fields=FIELDS[mode], percent=PERCENT, seed=seed, **knobs)
    changed = FeedCorruptor(spec).corrupt(doc)
    return doc, changed


@pytest.mark.parametrize("mode", MODES)
def test_share_of_records_changed_and_rest_identical(mode: str) -> None:
    original = records()["records"]
    doc, changed = corrupted(mode, seed=5)
    differing = [
        i for i, rec in enumerate(doc["records"]) if canonical(rec) != canonical(original[i])
    ]
    assert len(differing) == changed
    assert abs(changed - COUNT * PERCENT / 100) <= TOLERANCE, changed
    untouched = set(range(COUNT)) - set(differing)
    assert all(canonical(doc["records"][i]) == canonical(original[i]) for i in untouched)


@pytest.mark.parametrize("mode", MODES)
def test_same_seed_same_corruption(mode: str) -> None:
    first, _ = corrupted(mode, seed=11)
    second, _ = corrupted(mode, seed=11)
    other, _ = corrupted(mode, seed=12)
    assert canonical(first) == canonical(second)
    assert canonical(first) != canonical(other)


def test_each_mode_does_what_it_says() -> None:
    rec = {"a": 2, "b": 3.5, "s": "7"}

    def one(mode: str, fields: list[str], **knobs: Any) -> dict[str, Any]:
        doc = copy.deepcopy(rec)
        FeedCorruptor(CorruptionSpec(mode=mode, fields=fields, **knobs)).corrupt(doc)
        return doc

    assert math.isnan(one("nan", ["a"])["a"])
    assert one("null", ["a"])["a"] is None
    assert "a" not in one("drop_field", ["a"])
    assert one("rename_field", ["a"], to="A") == {"A": 2, "b": 3.5, "s": "7"}
    assert one("scale", ["a"], factor=100)["a"] == 200
    assert one("noise", ["b"], sigma=1.0)["b"] != 3.5
    assert one("shuffle", ["a", "b"]) == {"a": 3.5, "b": 2, "s": "7"}
    assert one("type_flip", ["a", "s"]) == {"a": "2", "b": 3.5, "s": 7.0}
    assert one("out_of_range", ["a"], value=-1)["a"] == -1


def test_stale_serves_the_first_value_seen_in_later_documents() -> None:
    corruptor = FeedCorruptor(CorruptionSpec(mode="stale", fields=["$.price"]))
    first = {"price": 1.0}
    assert corruptor.corrupt(first) == 0
    later = {"price": 9.0}
    assert corruptor.corrupt(later) == 1
    assert later == {"price": 1.0}


def test_wildcard_over_object_is_one_record() -> None:
    doc = {"features": {"a": 1, "b": 2}, "id": 3}
    changed = FeedCorruptor(CorruptionSpec(mode="null", fields=["$.features.*"])).corrupt(doc)
    assert changed == 1
    assert doc == {"features": {"a": None, "b": None}, "id": 3}


def test_stream_of_single_record_documents_gets_the_share() -> None:
    corruptor = FeedCorruptor(
        CorruptionSpec(mode="null", fields=["$.age"], percent=PERCENT, seed=3)
    )
    changed = sum(corruptor.corrupt({"age": 30}) for _ in range(COUNT))
    assert abs(changed - COUNT * PERCENT / 100) <= TOLERANCE


def test_corrupt_bytes_passes_non_json_and_unchanged_bodies_untouched() -> None:
    corruptor = FeedCorruptor(CorruptionSpec(mode="nan", fields=["$.x"], percent=0))
    assert corruptor.corrupt_bytes(b"not json") is None
    body = b'{ "x" : 1 }'
    assert corruptor.corrupt_bytes(body) == (body, 0)


def test_bad_path_and_mode_are_refused() -> None:
    with pytest.raises(ValueError):
        CorruptionSpec(mode="nan", fields=["$.a[x"])
    with pytest.raises(ValueError):
        CorruptionSpec(mode="explode", fields=["$.a"])  # type: ignore[arg-type]
