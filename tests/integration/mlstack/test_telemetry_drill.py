"""End to end: `chaosml run docs/drivers/telemetry.yaml` against the example stack.

The stack runs as processes, Prometheus scrapes the model server through a chaosml proxy, and
the run must see TelemetryAbsent fire (exit 0) — or, with a broken rule, report it missing
(exit 1). Either way the toxic is gone afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.demo.monitoring import RULES_FILE, Monitoring
from chaosml.demo.stack import Stack
from tests.fixtures.mlstack_env import (
    REPO_ROOT,
    MetricsProxy,
    firing,
    http_text,
    monitoring_via_proxy,
    run_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

EXPERIMENT = REPO_ROOT / "docs" / "drivers" / "telemetry.yaml"


def drill_env(stack: Stack, proxy: MetricsProxy, mon: Monitoring) -> dict[str, str]:
    return {
        "PROMETHEUS_URL": mon.prometheus_url,
        "CHAOSML_PROXY_API": proxy.api_url,
        "MODEL_URL": stack.model_url,
    }


def test_blackholed_metrics_fire_telemetry_absent_and_the_run_passes(
    ml_stack: Stack,
    ml_metrics_proxy: MetricsProxy,
    ml_monitoring_via_proxy: Monitoring,
    tmp_path: Path,
) -> None:
    env = drill_env(ml_stack, ml_metrics_proxy, ml_monitoring_via_proxy)
    result = run_experiment(EXPERIMENT, tmp_path, env)
    assert result.exit_code == 0, result.output
    fired = result.of("alert.fired")
    assert [e["name"] for e in fired] == ["TelemetryAbsent"]
    assert 0 < fired[0]["time_to_detect_s"] < 15
    assert [e["name"] for e in result.of("alert.resolved")] == ["TelemetryAbsent"]
    assert not firing(ml_monitoring_via_proxy, "ModelServerDown")
    assert "model_requests_total" in http_text(f"http://127.0.0.1:{ml_metrics_proxy.port}/metrics")


def test_a_broken_telemetry_rule_is_reported_missing(
    ml_stack: Stack, ml_metrics_proxy: MetricsProxy, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.rules.yml"
    text = RULES_FILE.read_text()
    broken.write_text(
        text.replace('scrape_samples_scraped{job="model-server"} == 0', "vector(0) > 1")
    )
    assert broken.read_text() != text
    mon = monitoring_via_proxy(ml_stack, ml_metrics_proxy, tmp_path / "monitoring", broken)
    try:
        env = drill_env(ml_stack, ml_metrics_proxy, mon)
        result = run_experiment(EXPERIMENT, tmp_path, env, "--var", "detect_within=6s")
    finally:
        mon.stop()
    assert result.exit_code == 1, result.output
    assert result.of("alert.fired") == []
    end = result.of("run.end")[0]
    assert end["status"] == "deviated"
    metrics = http_text(f"http://127.0.0.1:{ml_metrics_proxy.port}/metrics")
    assert "model_requests_total" in metrics  # the rollback removed the toxic
