"""Parsing, selecting and reducing PromQL answers (recorded from Prometheus 2.42)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaosml.drivers.promql_result import (
    PromSeries,
    format_labels,
    parse_result,
    percentile,
    reduce_points,
    select_series,
)
from chaosml.errors import ProbeError

PAYLOADS = Path(__file__).parent / "payloads"


def result(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())["data"]["result"]


def test_scalar_answer_is_one_unlabelled_point() -> None:
    [series] = parse_result(result("query_scalar.json"))
    assert series.labels == {}
    assert series.points[0][1] == 3.0


def test_several_series_without_selector_list_their_labels() -> None:
    series = parse_result(result("query_vector_multi.json"))
    with pytest.raises(ProbeError) as info:
        select_series(series, None)
    message = str(info.value)
    assert message.startswith("query returned 2 series")
    assert 'job="pushgateway"' in message and 'job="victim"' in message
    assert "series:" in message


def test_series_selector_picks_by_labels() -> None:
    series = parse_result(result("query_vector_multi.json"))
    chosen = select_series(series, {"job": "victim"})
    assert chosen.labels["job"] == "victim"
    assert reduce_points(chosen.points, "last") == 0.0


def test_series_selector_matching_nothing_or_several_says_so() -> None:
    series = parse_result(result("query_vector_multi.json"))
    with pytest.raises(ProbeError, match=r'no series matches series: \{job="x"\}'):
        select_series(series, {"job": "x"})
    with pytest.raises(ProbeError, match="2 series match"):
        select_series(series, {"__name__": "up"})


def test_empty_answer_is_an_error() -> None:
    with pytest.raises(ProbeError, match=r"^query returned no series$"):
        select_series(parse_result(result("query_empty.json")), None)


def test_nan_answer_is_an_error_saying_nan() -> None:
    [series] = parse_result(result("query_nan.json"))
    with pytest.raises(ProbeError, match="query returned NaN"):
        reduce_points(series.points, "last")


def test_range_answer_keeps_every_point() -> None:
    series = parse_result(result("query_range.json"))
    victim = select_series(series, {"job": "victim"})
    assert len(victim.points) >= 2
    assert all(value == 0.0 for _, value in victim.points)


POINTS = tuple((float(t), v) for t, v in enumerate([4.0, 1.0, 3.0, float("nan"), 2.0]))


@pytest.mark.parametrize(
    ("how", "expected"),
    [("max", 4.0), ("min", 1.0), ("avg", 2.5), ("last", 2.0), ("p50", 2.5), ("p99", 3.97)],
)
def test_reductions_ignore_nan_points(how: Any, expected: float) -> None:
    assert reduce_points(POINTS, how) == pytest.approx(expected)


def test_last_is_by_timestamp_not_by_order() -> None:
    assert reduce_points(((2.0, 9.0), (1.0, 5.0)), "last") == 9.0


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 99) == 7.0


def test_infinity_is_a_value() -> None:
    [series] = parse_result([{"metric": {}, "value": [1.0, "+Inf"]}])
    assert reduce_points(series.points, "last") == float("inf")


def test_garbage_values_are_probe_errors() -> None:
    with pytest.raises(ProbeError, match="not a number"):
        parse_result([{"metric": {}, "value": [1.0, "abc"]}])
    with pytest.raises(ProbeError, match="unexpected answer"):
        parse_result({"weird": True})


def test_format_labels_reads_like_promql() -> None:
    assert format_labels({"job": "a", "instance": "h:1"}) == '{instance="h:1", job="a"}'


def test_long_listings_are_cut() -> None:
    many = [PromSeries({"i": str(i)}, ((0.0, 1.0),)) for i in range(15)]
    with pytest.raises(ProbeError, match="and 5 more"):
        select_series(many, None)
