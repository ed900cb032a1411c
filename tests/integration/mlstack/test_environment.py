"""chaosml.demo.environment: stack + proxy + monitoring, and a proxy drill run with the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.demo.environment import DrillEnvironment
from tests.fixtures.mlstack_env import (
    http_json,
    http_text,
    metric,
    query,
    run_experiment,
    wait_until,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

FEATURE_ERRORS = """
version: 1
title: Feature service errors fire HighErrorRate
description: proxy.http_error between model server and feature service must page (M6).
tags: [ml-test-score:M6]
vars:
  prometheus: ${env:PROMETHEUS_URL}
  proxy_api: ${env:CHAOSML_PROXY_API}
  model: ${env:MODEL_URL}
blast_radius: {environments: [test], max_duration: 5m}
steady_state:
  - name: predictions served
    http: {url: "${model}/predict", method: POST, json: {entity_id: 7}}
    expect: {status: 200}
method:
  - fault: proxy.http_error
    proxy: {api: "${proxy_api}", name: features}
    status: 503
    percent: 50
  - expect_alert:
      name: HighErrorRate
      labels: {severity: page, ml_test_score: M6}
      source: {alertmanager: "${env:ALERTMANAGER_URL}"}
      fires_within: 30s
recovery:
  within: 40s
  every: 1s
  alerts_resolve:
    - {name: HighErrorRate, source: {prometheus: "${prometheus}"}}
"""


def test_the_model_reads_features_through_the_proxy_and_prometheus_scrapes_through_it(
    ml_environment: DrillEnvironment,
) -> None:
    variables = ml_environment.variables()
    status, _, body = http_json("POST", f"{variables['MODEL_URL']}/predict", {"entity_id": 3})
    assert status == 200 and body["imputed"] == []
    assert ml_environment.stack.model_feature_url.endswith(
        http_json("GET", f"{variables['CHAOSML_PROXY_API']}/proxies/features")[2]["listen"]
    )
    scraped = query(ml_environment.monitoring, 'up{job="model-server"}')  # type: ignore[arg-type]
    assert scraped[0]["metric"]["instance"] == ml_environment.metrics_address
    text = http_text(f"{variables['FEATURE_URL']}/metrics")
    assert metric(text, "feature_service_requests_total", endpoint="features", code="200")


def test_feature_errors_drill_pages_and_recovers(
    ml_environment: DrillEnvironment, tmp_path: Path
) -> None:
    experiment = tmp_path / "feature-errors.yaml"
    experiment.write_text(FEATURE_ERRORS)
    result = run_experiment(experiment, tmp_path, ml_environment.variables())
    assert result.exit_code == 0, result.output
    fired = result.of("alert.fired")
    assert [e["name"] for e in fired] == ["HighErrorRate"]
    assert fired[0]["time_to_detect_s"] < 20
    assert result.of("alert.resolved")[0]["name"] == "HighErrorRate"


def test_stop_leaves_nothing(tmp_path: Path) -> None:
    from chaosml.demo.environment import start_environment
    from tests.fixtures.mlstack_env import TEST_ENV

    env = start_environment(monitoring=False, rate=2, extra_env=TEST_ENV)
    root, proxy = env.root, env.proxy.process
    env.stop()
    assert proxy.poll() is not None
    assert not root.exists()
    wait_until(lambda: http_ok_gone(env), 5, "every service gone")


def http_ok_gone(env: DrillEnvironment) -> bool:
    from chaosml.demo.processes import http_ok

    urls = [env.stack.model_url, env.stack.feature_url, env.proxy.api_url + "/proxies"]
    return not any(http_ok(f"{u}/health" if "proxies" not in u else u, 0.5) for u in urls)
