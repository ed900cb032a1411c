"""Toxic parsing and validation: Toxiproxy's defaults and 400 answers."""

from __future__ import annotations

import random
import statistics

import pytest

from chaosml.proxy.errors import ApiError
from chaosml.proxy.pipe import slice_sizes
from chaosml.proxy.toxics import toxic_from_json, updated


def test_defaults_follow_toxiproxy() -> None:
    toxic = toxic_from_json({"type": "latency"})
    assert toxic.to_json() == {
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
        "attributes": {"latency": 0, "jitter": 0},
    }
    assert toxic_from_json({"type": "bandwidth", "stream": "upstream"}).name == "bandwidth_upstream"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "nope"}, "invalid toxic type"),
        ({"type": "latency", "stream": "sideways"}, "stream was invalid"),
        ({"type": "latency", "toxicity": 2}, "toxicity"),
        ({"type": "latency", "attributes": {"latency": "fast"}}, "latency"),
        ({"type": "latency", "attributes": []}, "attributes"),
        ({"type": "http_error", "attributes": {"path": "("}}, "regular expression"),
        ({"type": "blackhole", "attributes": {"mode": "explode"}}, "blackhole mode"),
        ({"type": "feed_corrupt", "attributes": {"mode": "nan"}}, "fields"),
        ({"type": "feed_corrupt", "attributes": {"mode": "melt", "fields": ["$.a"]}}, "mode"),
        ([], "expected a JSON object"),
    ],
)
def test_bad_toxics_are_400(raw: object, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        toxic_from_json(raw)
    assert caught.value.status == 400 and message in caught.value.message


def test_update_merges_attributes_and_keeps_identity() -> None:
    toxic = toxic_from_json({"name": "t", "type": "latency", "attributes": {"latency": 100}})
    new = updated(toxic, {"attributes": {"jitter": 5}, "toxicity": 0.25})
    assert (new.name, new.type, new.stream) == ("t", "latency", "downstream")
    assert new.attributes == {"latency": 100, "jitter": 5} and new.toxicity == 0.25


def test_feed_corrupt_attributes_are_a_corruption_spec() -> None:
    raw = {"type": "feed_corrupt", "attributes": {"mode": "scale", "fields": "$.a", "factor": 3}}
    toxic = toxic_from_json(raw)
    assert toxic.is_http and toxic.attributes["factor"] == 3


def test_unknown_attributes_are_dropped_and_noop_exists() -> None:
    toxic = toxic_from_json({"type": "latency", "attributes": {"latency": 5, "bogus": "x"}})
    assert toxic.attributes == {"latency": 5, "jitter": 0}
    assert updated(toxic, {"attributes": {"extra": 1}}).attributes == {"latency": 5, "jitter": 0}
    assert toxic_from_json({"type": "noop"}).to_json()["attributes"] == {}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1])
def test_non_finite_and_negative_numbers_are_400(value: float) -> None:
    with pytest.raises(ApiError):
        toxic_from_json({"type": "latency", "attributes": {"latency": value}})
    with pytest.raises(ApiError):
        toxic_from_json({"type": "latency", "toxicity": value})


@pytest.mark.parametrize(("total", "average", "variation"), [(1000, 10, 0), (4096, 100, 30)])
def test_slicer_cuts_like_toxiproxy(total: int, average: int, variation: int) -> None:
    sizes = slice_sizes(total, average, variation, random.Random(7))
    assert sum(sizes) == total
    assert all(0 < size <= average + variation for size in sizes)
    assert average / 2 - variation <= statistics.mean(sizes) <= average + variation
    if variation:
        assert len(set(sizes)) > 1
