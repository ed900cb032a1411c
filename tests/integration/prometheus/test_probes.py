"""The prometheus, metrics and alert probes against real Prometheus, Alertmanager, exporters."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.alert_probe import AlertParams, AlertProbe
from chaosml.drivers.metrics_probe import MetricsParams, MetricsProbe
from chaosml.drivers.prometheus_driver import PrometheusParams, PrometheusProbe
from chaosml.errors import InfrastructureError, ProbeError
from chaosml.io import http_client
from chaosml.stack.monitoring import free_port
from tests.fixtures.prom_env import GAUGE, Exporter, MonitoringEnv

pytestmark = pytest.mark.prometheus
CTX = DriverContext(run_id="test")


def prom(env: MonitoringEnv, query: str, **extra: Any) -> Sample:
    params = PrometheusParams(url=env.prometheus_url, query=query, **extra)
    return PrometheusProbe().sample(params, CTX)


def alert(name: str, source: dict[str, str], **extra: Any) -> Sample:
    return AlertProbe().sample(AlertParams(name=name, source=source, **extra), CTX)


def gauge_is(env: MonitoringEnv, value: float) -> bool:
    return prom_value(env, f'{GAUGE}{{job="gauge"}}') == value


def test_instant_query_reads_the_scraped_gauge(
    prom_monitoring: MonitoringEnv, prom_gauge: Exporter
) -> None:
    prom_gauge.set(5)
    prom_monitoring.wait_for("gauge scraped as 5", lambda: gauge_is(prom_monitoring, 5))
    sample = prom(prom_monitoring, f'{GAUGE}{{job="gauge"}}')
    assert sample.value == 5.0
    assert sample.details["labels"]["job"] == "gauge"


def test_window_reduces_a_range(prom_monitoring: MonitoringEnv, prom_gauge: Exporter) -> None:
    name = "chaosml_test_window"  # a gauge of its own: no history from other tests
    query = f'{name}{{job="gauge"}}'
    prom_gauge.set(20, name=name)
    prom_monitoring.wait_for(
        "gauge scraped as 20", lambda: prom_value(prom_monitoring, query) == 20
    )
    time.sleep(1.1)  # let the range hold a second point at 20 (scrape interval 1 s)
    prom_gauge.set(2, name=name)
    prom_monitoring.wait_for("gauge scraped as 2", lambda: prom_value(prom_monitoring, query) == 2)
    assert prom(prom_monitoring, query, window="30s", reduce="max").value == 20
    assert prom(prom_monitoring, query, window="30s", reduce="min").value == 2
    assert prom(prom_monitoring, query, window="30s", step="1s", reduce="last").value == 2
    assert prom(prom_monitoring, query, window="30s", reduce="p50").details["reduce"] == "p50"


def prom_value(env: MonitoringEnv, query: str) -> float | None:
    try:
        return float(prom(env, query).value)
    except ProbeError:
        return None


def test_several_series_need_a_series_selector(
    prom_monitoring: MonitoringEnv, prom_gauge: Exporter
) -> None:
    with pytest.raises(ProbeError, match=r"query returned \d+ series: ") as info:
        prom(prom_monitoring, "up")
    assert 'job="gauge"' in str(info.value) and 'job="victim"' in str(info.value)
    assert prom(prom_monitoring, "up", series={"job": "gauge"}).value == 1.0
    with pytest.raises(ProbeError, match="no series matches"):
        prom(prom_monitoring, "up", series={"job": "nope"})


def test_empty_nan_and_rejected_queries_say_which(prom_monitoring: MonitoringEnv) -> None:
    with pytest.raises(ProbeError, match="query returned no series"):
        prom(prom_monitoring, "chaosml_no_such_metric")
    with pytest.raises(ProbeError, match="NaN"):
        prom(prom_monitoring, "vector(0) / 0")
    with pytest.raises(ProbeError, match=r"rejected the query.*parse error"):
        prom(prom_monitoring, "sum(")


def test_scalar_result_is_a_value(prom_monitoring: MonitoringEnv) -> None:
    assert prom(prom_monitoring, "1 + 2").value == 3.0


def test_unreachable_prometheus_is_infrastructure_error_naming_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    params = PrometheusParams(url=url, query="up", timeout="1s")
    with pytest.raises(InfrastructureError, match=f"cannot reach Prometheus at {url}"):
        PrometheusProbe().sample(params, CTX)


def test_pushgateway_series_reach_prometheus(prom_monitoring: MonitoringEnv) -> None:
    url = f"{prom_monitoring.pushgateway_url}/metrics/job/chaosml_batch"
    body = "chaosml_batch_rows 42\n"
    assert http_client.request("PUT", url, body=body, timeout=5.0).status == 200
    query = 'chaosml_batch_rows{job="chaosml_batch"}'
    prom_monitoring.wait_for(
        "pushed series in Prometheus", lambda: bool(prom_monitoring.query(query))
    )
    assert prom(prom_monitoring, query).value == 42.0


def test_metrics_probe_reads_one_series_from_the_exposition(prom_gauge: Exporter) -> None:
    prom_gauge.set(7.5)
    sample = MetricsProbe().sample(MetricsParams(url=prom_gauge.metrics_url, name=GAUGE), CTX)
    assert sample.value == 7.5
    with pytest.raises(ProbeError, match="no series chaosml_nope"):
        MetricsProbe().sample(MetricsParams(url=prom_gauge.metrics_url, name="chaosml_nope"), CTX)


def test_metrics_probe_on_a_dead_exporter_is_a_probe_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/metrics"
    with pytest.raises(ProbeError, match=f"cannot scrape {url}"):
        MetricsProbe().sample(MetricsParams(url=url, name=GAUGE, timeout="1s"), CTX)


def test_alert_states_in_prometheus(prom_monitoring: MonitoringEnv) -> None:
    source = {"prometheus": prom_monitoring.prometheus_url}
    prom_monitoring.wait_for(
        "AlwaysFiring", lambda: alert("AlwaysFiring", source).value == "firing"
    )
    firing = alert("AlwaysFiring", source, labels={"severity": "info"})
    assert firing.value == "firing"
    assert firing.details["source"] == "prometheus"
    assert firing.details["labels"]["severity"] == "info"
    assert abs(firing.details["active_at"] - time.time()) < 600
    assert alert("AlwaysPending", source).value == "pending"
    assert alert("AlwaysFiring", source, labels={"severity": "page"}).value == "inactive"
    no_rule = alert("NoSuchAlert", source)
    assert (no_rule.value, no_rule.details["active_at"]) == ("inactive", None)


def test_alertmanager_reports_firing_with_prometheus_active_at(
    prom_monitoring: MonitoringEnv,
) -> None:
    am = {"alertmanager": prom_monitoring.alertmanager_url}
    prom_monitoring.wait_for(
        "AlwaysFiring in AM", lambda: alert("AlwaysFiring", am).value == "firing"
    )
    in_am = alert("AlwaysFiring", am)
    in_prom = alert("AlwaysFiring", {"prometheus": prom_monitoring.prometheus_url})
    assert in_am.details["source"] == "alertmanager"
    # Alertmanager keeps startsAt (Prometheus's activeAt for `for: 0s`) to the millisecond
    assert in_am.details["active_at"] == pytest.approx(in_prom.details["active_at"], abs=1e-3)
    assert alert("AlwaysPending", am).value == "inactive"  # pending alerts are not sent


def test_killed_exporter_fires_victim_down_after_the_kill(
    prom_monitoring: MonitoringEnv, prom_victim: Exporter
) -> None:
    source = {"prometheus": prom_monitoring.prometheus_url}
    killed_at = time.time()
    prom_victim.kill()
    prom_monitoring.wait_for(
        "VictimDown firing", lambda: alert("VictimDown", source).value == "firing"
    )
    fired = alert("VictimDown", source, labels={"severity": "page"})
    detect = fired.details["active_at"] - killed_at
    assert 0 < detect < 3.0  # scrape 1 s + evaluation 1 s
    prom_victim.start()
    prom_monitoring.wait_for(
        "VictimDown resolved", lambda: alert("VictimDown", source).value == "inactive"
    )


def test_unreachable_alert_source_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(InfrastructureError, match=url):
        alert("X", {"alertmanager": url}, timeout="1s")


def test_nan_from_prometheus_is_not_a_number(prom_monitoring: MonitoringEnv) -> None:
    with pytest.raises(ProbeError) as info:
        prom(prom_monitoring, "vector(0) / 0", window="5s", reduce="max")
    assert "NaN" in str(info.value)
    assert not math.isnan(prom(prom_monitoring, "vector(1)", window="5s", reduce="avg").value)
