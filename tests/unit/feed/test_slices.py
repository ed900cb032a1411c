"""Slice-targeted corruption: ``where:`` predicates, MCAR/MAR/MNAR, the new modes.

Each test corrupts 3000 records and checks the share changed within the slice (or within each
side of a MAR/MNAR condition) against the binomial expectation, that no record outside the
slice changed by a single byte, and that the same seed gives the same bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from chaosml.feed import CorruptionSpec, FeedCorruptor
from chaosml.feed.encoding import mojibake, truncated_utf8

COUNT = 3000
COUNTRIES = ("DE", "FR", "ES")


def doc() -> dict[str, Any]:
    return {"region": "eu", "records": [_record(i) for i in range(COUNT)]}


def _record(i: int) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": i,
        "country": COUNTRIES[i % 3],
        "income": float(i % 100) * 1000,
        "city": f"Zürich {i}",
        "age": 20 + i % 60,
    }
    if i % 5 == 0:
        del rec["age"]  # a field some records lack
    return rec


def _within(changed: int, total: int, percent: float) -> bool:
    """Within 5 binomial standard deviations of ``total * percent``."""
    p = percent / 100
    return abs(changed - total * p) <= 5 * math.sqrt(total * p * (1 - p)) + 1e-9


def _bytes(rec: Any) -> bytes:
    return json.dumps(rec, sort_keys=True, allow_nan=True, ensure_ascii=False).encode(
        "utf-8", "surrogateescape"
    )


def _run(**spec: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], FeedCorruptor]:
    original = doc()
    corrupted = doc()
    corruptor = FeedCorruptor(CorruptionSpec(seed=spec.pop("seed", 3), **spec))
    corruptor.corrupt(corrupted)
    return original["records"], corrupted["records"], corruptor


def _changed(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> set[int]:
    return {i for i, (a, b) in enumerate(zip(before, after, strict=True)) if _bytes(a) != _bytes(b)}


SLICE_CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("equals", {"field": "$.records[*].country", "equals": "DE"}, lambda r: r["country"] == "DE"),
    ("in", {"field": "$.records[*].country", "in": ["DE", "ES"]}, lambda r: r["country"] != "FR"),
    ("above", {"field": "$.records[*].income", "above": 49000}, lambda r: r["income"] > 49000),
    ("below", {"field": "$.records[*].income", "below": 10000}, lambda r: r["income"] < 10000),
    ("regex", {"field": "$.records[*].city", "regex": r"7$"}, lambda r: r["city"].endswith("7")),
    ("missing", {"field": "$.records[*].age", "missing": True}, lambda r: "age" not in r),
]
MODE_CASES: list[tuple[str, list[str], dict[str, Any]]] = [
    ("null", ["$.records[*].income"], {}),
    ("category_shift", ["$.records[*].country"], {"mapping": {"DE": "AT", "FR": "BE", "ES": "PT"}}),
    ("swap_fields", ["$.records[*].income", "$.records[*].city"], {}),
    ("broken_encoding", ["$.records[*].city"], {"encoding": "mojibake"}),
    ("broken_encoding", ["$.records[*].city"], {"encoding": "truncated_utf8"}),
    ("clip", ["$.records[*].id"], {"low": 5000}),
]


@pytest.mark.parametrize(("name", "where", "member"), SLICE_CASES, ids=[c[0] for c in SLICE_CASES])
@pytest.mark.parametrize(("mode", "fields", "knobs"), MODE_CASES, ids=lambda c: str(c))
def test_only_the_slice_changes_by_the_share(
    name: str, where: dict[str, Any], member: Any, mode: str, fields: list[str], knobs: Any
) -> None:
    before, after, corruptor = _run(mode=mode, fields=fields, percent=40, where=where, **knobs)
    in_slice = {i for i, rec in enumerate(before) if member(rec)}
    changed = _changed(before, after)
    assert changed <= in_slice, "a record outside the slice changed"
    assert _within(len(changed), len(in_slice), 40), (len(changed), len(in_slice))
    assert corruptor.slice_records == len(in_slice)
    assert corruptor.records_changed == len(changed)


@pytest.mark.parametrize(("mode", "fields", "knobs"), MODE_CASES, ids=lambda c: str(c))
def test_same_seed_same_bytes(mode: str, fields: list[str], knobs: Any) -> None:
    where = {"field": "$.records[*].country", "equals": "FR"}
    spec = {"mode": mode, "fields": fields, "percent": 50, "where": where, **knobs}
    body = json.dumps(doc()).encode()

    def corrupted(seed: int) -> bytes:
        result = FeedCorruptor(CorruptionSpec(seed=seed, **spec)).corrupt_bytes(body)
        assert result is not None
        return result[0]

    assert corrupted(9) == corrupted(9)
    assert corrupted(9) != corrupted(10)


def test_a_document_level_field_selects_all_its_records() -> None:
    where = {"field": "$.region", "equals": "eu"}
    before, after, _ = _run(mode="null", fields=["$.records[*].age"], where=where, percent=100)
    assert _changed(before, after) == {i for i, r in enumerate(before) if "age" in r}
    where = {"field": "$.region", "equals": "us"}
    before, after, corruptor = _run(mode="null", fields=["$.records[*].age"], where=where)
    assert not _changed(before, after) and corruptor.slice_records == 0


def test_predicates_combine_with_and() -> None:
    where = [
        {"field": "$.records[*].country", "equals": "DE"},
        {"field": "$.records[*].income", "above": 10000, "below": 20000},
    ]
    before, after, _ = _run(mode="null", fields=["$.records[*].income"], where=where, percent=100)
    expected = {
        i for i, r in enumerate(before) if r["country"] == "DE" and 10000 < r["income"] < 20000
    }
    assert _changed(before, after) == expected


@pytest.mark.parametrize("mechanism", ["mar", "mnar"])
def test_the_chance_depends_on_a_field_or_on_the_value_itself(mechanism: str) -> None:
    field = {"field": "$.records[*].country"} if mechanism == "mar" else {}
    test = {"equals": "DE"} if mechanism == "mar" else {"above": 49000}
    before, after, _ = _run(
        mode="null",
        fields=["$.records[*].income"] if mechanism == "mnar" else ["$.records[*].age"],
        mechanism=mechanism,
        depends_on={**field, **test},
        percent=60,
        percent_otherwise=10,
    )
    hit = (
        (lambda r: r["country"] == "DE") if mechanism == "mar" else (lambda r: r["income"] > 49000)
    )
    eligible = [i for i, r in enumerate(before) if mechanism == "mnar" or "age" in r]
    changed = _changed(before, after)
    high = [i for i in eligible if hit(before[i])]
    low = [i for i in eligible if not hit(before[i])]
    assert _within(len(changed & set(high)), len(high), 60)
    assert _within(len(changed & set(low)), len(low), 10)


def test_mechanism_and_its_predicate_must_fit() -> None:
    with pytest.raises(ValidationError, match="needs depends_on"):
        CorruptionSpec(mode="null", fields=["$.a"], mechanism="mar")
    with pytest.raises(ValidationError, match="needs the field"):
        CorruptionSpec(mode="null", fields=["$.a"], mechanism="mar", depends_on={"above": 1})
    with pytest.raises(ValidationError, match="give no field"):
        CorruptionSpec(
            mode="null", fields=["$.a"], mechanism="mnar", depends_on={"field": "b", "above": 1}
        )
    with pytest.raises(ValidationError, match="needs mechanism"):
        CorruptionSpec(mode="null", fields=["$.a"], depends_on={"field": "b", "above": 1})


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        ({"field": "$.a"}, "needs one of"),
        ({"field": "$.a", "equals": 1, "regex": "x"}, "one test per predicate"),
        ({"field": "$.a", "missing": True, "above": 1}, "'missing' is a test of its own"),
        ({"field": "$.a", "regex": "("}, "not a regular expression"),
        ({"equals": 1}, r"where\[0\] needs a field"),
    ],
)
def test_bad_predicates_are_refused(predicate: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CorruptionSpec(mode="null", fields=["$.a"], where=predicate)


def test_mode_knobs_are_required() -> None:
    with pytest.raises(ValidationError, match="needs mapping"):
        CorruptionSpec(mode="category_shift", fields=["$.a"])
    with pytest.raises(ValidationError, match="exactly two fields"):
        CorruptionSpec(mode="swap_fields", fields=["$.a"])
    with pytest.raises(ValidationError, match="needs low, high"):
        CorruptionSpec(mode="clip", fields=["$.a"])


def test_equals_null_and_missing_are_different_tests() -> None:
    spec = CorruptionSpec(mode="nan", fields=["$.x"], where={"field": "$.y", "equals": None})
    assert FeedCorruptor(spec).corrupt({"x": 1, "y": None}) == 1
    assert FeedCorruptor(spec).corrupt({"x": 1}) == 0  # absent is not null
    spec = CorruptionSpec(mode="nan", fields=["$.x"], where={"field": "$.y", "missing": True})
    assert FeedCorruptor(spec).corrupt({"x": 1}) == 1
    assert FeedCorruptor(spec).corrupt({"x": 1, "y": ""}) == 1  # an empty CSV cell is missing
    assert FeedCorruptor(spec).corrupt({"x": 1, "y": 0}) == 0


def test_broken_encodings() -> None:
    assert mojibake("café") == "cafÃ©"
    assert mojibake("plain") == "plain"
    cut = truncated_utf8("München Straße")
    with pytest.raises(UnicodeDecodeError):
        cut.encode("utf-8", "surrogateescape").decode("utf-8")
    assert truncated_utf8("abcdef") == "abc"


def test_truncated_utf8_reaches_the_wire_as_invalid_bytes() -> None:
    spec = CorruptionSpec(mode="broken_encoding", encoding="truncated_utf8", fields=["$.city"])
    result = FeedCorruptor(spec).corrupt_bytes('{"city": "Zürich", "n": 1}'.encode())
    assert result is not None and result[1] == 1
    assert result[0] == b'{"city":"Z\xc3","n":1}'


def test_clip_saturates_at_the_bounds_and_keeps_ints() -> None:
    spec = CorruptionSpec(mode="clip", fields=["$.v[*]"], low=0, high=100)
    body = {"v": [-5, 50, 250, 1e6]}
    FeedCorruptor(spec).corrupt(body)
    assert body == {"v": [0, 50, 100, 100.0]}
    assert isinstance(body["v"][0], int)
