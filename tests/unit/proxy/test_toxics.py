"""Toxic parsing and validation: Toxiproxy's defaults and 400 answers."""

from __future__ import annotations

import pytest

from chaosml.proxy.errors import ApiError
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
