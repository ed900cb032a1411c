"""Parameter models of the prometheus, alert and metrics probes."""

from __future__ import annotations

import pydantic
import pytest

from chaosml.drivers.alert_probe import AlertParams, AlertProbe
from chaosml.drivers.metrics_probe import MetricsParams, MetricsProbe
from chaosml.drivers.prometheus_driver import PrometheusParams, PrometheusProbe, _rejected
from chaosml.drivers.registry import build_registry
from chaosml.errors import InfrastructureError, ProbeError


def test_durations_become_seconds() -> None:
    p = PrometheusParams(url="http://h:9090/", query="up", window="2m", timeout="500ms")
    assert (p.window, p.timeout, p.base_url) == (120.0, 0.5, "http://h:9090")
    assert p.range_step() == 1.2
    assert PrometheusParams(url="http://h", query="q", window="10s").range_step() == 1.0


@pytest.mark.parametrize(
    "bad",
    [{"reduce": "median"}, {"windw": "5s"}, {"window": "5 minutes"}, {"url": "127.0.0.1:9090"}],
)
def test_bad_prometheus_params_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(pydantic.ValidationError):
        PrometheusParams(**{"url": "http://h", "query": "up", **bad})


def test_alert_source_needs_exactly_one_url() -> None:
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        AlertParams(name="A", source={})
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        AlertParams(name="A", source={"prometheus": "http://p", "alertmanager": "http://a"})
    ok = AlertParams(name="A", source={"alertmanager": "http://a:9093/"})
    assert (ok.source.kind, ok.source.base_url) == ("alertmanager", "http://a:9093")


def test_metrics_params_forbid_unknown_keys() -> None:
    with pytest.raises(pydantic.ValidationError):
        MetricsParams(url="http://e/metrics", name="x", label={"a": "b"})  # type: ignore[call-arg]


def test_rejected_queries_quote_prometheus_and_5xx_is_transient() -> None:
    p = PrometheusParams(url="http://h:9090", query="sum(")
    body = b'{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed"}'
    err = _rejected(p, f"HTTP Status Code 400 ({body!r})")
    assert isinstance(err, ProbeError)
    assert (
        str(err)
        == "Prometheus at http://h:9090 rejected the query 'sum(': 1:5: parse error: unclosed"
    )
    unavailable = _rejected(p, "HTTP Status Code 503 (b'Service Unavailable')")
    assert isinstance(unavailable, InfrastructureError)
    assert "http://h:9090 answered 503" in str(unavailable)


def test_describe_lines_name_what_is_read() -> None:
    p = PrometheusParams(url="http://h:9090", query="up", window="1m", reduce="p99")
    assert PrometheusProbe().describe(p) == "prometheus 'up' p99 over 60s at http://h:9090"
    a = AlertParams(name="Down", source={"prometheus": "http://h:9090"})
    assert AlertProbe().describe(a) == "alert Down in prometheus at http://h:9090"
    m = MetricsParams(url="http://e/metrics", name="x", labels={"a": "b"})
    assert MetricsProbe().describe(m) == 'metrics x{a="b"} at http://e/metrics'


def test_the_three_probes_are_registered_builtins() -> None:
    registry = build_registry(autoload=False)
    assert {"prometheus", "alert", "metrics"} <= set(registry.kinds("probe"))
    assert not [r for r in registry.refused if "prometheus" in r.origin or "alert" in r.origin]
