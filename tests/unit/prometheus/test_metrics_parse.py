"""Reading one series out of a Prometheus text exposition."""

from __future__ import annotations

import pytest

from chaosml.drivers.metrics_probe import read_series
from chaosml.errors import ProbeError

EXPOSITION = """\
# HELP model_requests_total Requests served.
# TYPE model_requests_total counter
model_requests_total{route="/predict",code="200"} 1027
model_requests_total{route="/predict",code="500"} 3
model_requests_total{route="/health",code="200"} 12
# TYPE model_latency_seconds histogram
model_latency_seconds_bucket{le="0.1"} 900
model_latency_seconds_bucket{le="+Inf"} 1030
model_latency_seconds_sum 51.5
model_latency_seconds_count 1030
# TYPE feature_staleness_seconds gauge
feature_staleness_seconds NaN
"""


def test_labels_pick_one_series() -> None:
    labels, value = read_series(EXPOSITION, "model_requests_total", {"code": "500"})
    assert value == 3.0
    assert labels == {"route": "/predict", "code": "500"}


def test_histogram_parts_are_read_by_sample_name() -> None:
    assert read_series(EXPOSITION, "model_latency_seconds_count", {})[1] == 1030.0
    assert read_series(EXPOSITION, "model_latency_seconds_bucket", {"le": "+Inf"})[1] == 1030.0


def test_several_matches_list_them() -> None:
    with pytest.raises(ProbeError, match=r'2 series match model_requests_total\{code="200"\}'):
        read_series(EXPOSITION, "model_requests_total", {"code": "200"})


def test_no_match_lists_the_series_of_that_name() -> None:
    with pytest.raises(
        ProbeError, match=r"no series .*; series named model_requests_total: \{code="
    ):
        read_series(EXPOSITION, "model_requests_total", {"code": "404"})
    with pytest.raises(ProbeError, match=r"^no series nope in the exposition$"):
        read_series(EXPOSITION, "nope", {})


def test_nan_is_an_error() -> None:
    with pytest.raises(ProbeError, match="is NaN"):
        read_series(EXPOSITION, "feature_staleness_seconds", {})


def test_not_an_exposition() -> None:
    with pytest.raises(ProbeError, match="not a Prometheus text exposition"):
        read_series("<html>{oops</html>\n", "x", {})
