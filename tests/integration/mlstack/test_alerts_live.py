"""Each fault on the running stack fires its alert in a real Prometheus and Alertmanager.

These are the drills done by hand (no chaosml runner): they prove the rules and the stack's
metrics work together, with 1s scrapes, before any experiment relies on them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chaosml.demo.monitoring import Monitoring
from chaosml.demo.stack import FEATURE_SERVICE, MODEL_SERVER, Stack
from chaosml.io.procfs import read_pid_file
from tests.fixtures.mlstack_env import alertmanager_active, firing, prometheus_alerts, wait_until

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def wait_firing(mon: Monitoring, name: str, within: float = 30) -> list[dict[str, object]]:
    return list(wait_until(lambda: firing(mon, name), within, f"{name} firing"))


def wait_resolved(mon: Monitoring, name: str, within: float = 30) -> None:
    wait_until(lambda: not firing(mon, name), within, f"{name} resolved")


def rewrite_feed(stack: Stack, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Apply ``change`` to every row of the stack's CSV feed (values as strings)."""
    header, *rows = stack.data_file.read_text().splitlines()
    names = header.split(",")
    changed = [change(dict(zip(names, row.split(","), strict=True))) for row in rows]
    out_names = list(changed[0])
    lines = [",".join(out_names)] + [",".join(r[n] for n in out_names) for r in changed]
    stack.data_file.write_text("\n".join(lines) + "\n")


def test_the_steady_state_fires_nothing(ml_stack: Stack, ml_monitoring: Monitoring) -> None:
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        assert [a["labels"]["alertname"] for a in prometheus_alerts(ml_monitoring)] == []
        time.sleep(0.5)


def test_killed_model_server_fires_model_server_down_and_telemetry_absent_then_resolves(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    pid = read_pid_file(ml_stack.services[MODEL_SERVER].pid_file)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    down = wait_firing(ml_monitoring, "ModelServerDown")
    assert down[0]["labels"]["ml_test_score"] == "M6"  # type: ignore[index]
    wait_firing(ml_monitoring, "TelemetryAbsent")
    wait_until(
        lambda: alertmanager_active(ml_monitoring, "ModelServerDown"), 15, "active in Alertmanager"
    )
    restarted = subprocess.Popen(
        ml_stack.command(MODEL_SERVER),
        env=ml_stack.env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_resolved(ml_monitoring, "ModelServerDown")
        wait_resolved(ml_monitoring, "TelemetryAbsent")
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)


def test_a_new_feature_service_version_fires_dependency_version_changed(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    ml_stack.version_file.write_text("2.0.0\n")
    alert = wait_firing(ml_monitoring, "DependencyVersionChanged")[0]
    assert alert["labels"]["version"] == "2.0.0"  # type: ignore[index]
    assert alert["labels"]["ml_test_score"] == "M1"  # type: ignore[index]
    ml_stack.version_file.write_text("1.0.0\n")
    wait_resolved(ml_monitoring, "DependencyVersionChanged")


def test_nan_features_fire_nan_features_and_invalid_feature_rate(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    rewrite_feed(ml_stack, lambda row: {**row, "age": "nan"})
    wait_firing(ml_monitoring, "NaNFeatures")
    wait_firing(ml_monitoring, "InvalidFeatureRateHigh")


def test_a_two_day_old_model_fires_model_stale(ml_stack: Stack, ml_monitoring: Monitoring) -> None:
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    train = [sys.executable, "-m", "chaosml.demo.train", "--out", str(ml_stack.model_file)]
    subprocess.run([*train, "--trained-at", two_days_ago], check=True, capture_output=True)
    alert = wait_firing(ml_monitoring, "ModelStale")[0]
    assert alert["labels"]["ml_test_score"] == "M4"  # type: ignore[index]
    subprocess.run(train, check=True, capture_output=True)
    wait_resolved(ml_monitoring, "ModelStale")


def test_income_in_thousands_fires_training_serving_skew(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    rewrite_feed(ml_stack, lambda row: {**row, "income": str(float(row["income"]) / 1000)})
    alerts = wait_firing(ml_monitoring, "TrainingServingSkew")
    assert {a["labels"]["feature"] for a in alerts} == {"income"}  # type: ignore[index]


def test_inflated_debt_ratios_fire_prediction_distribution_shifted(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    rewrite_feed(ml_stack, lambda row: {**row, "debt_ratio": str(float(row["debt_ratio"]) * 4)})
    alert = wait_firing(ml_monitoring, "PredictionDistributionShifted")[0]
    assert alert["labels"]["ml_test_score"] == "M7"  # type: ignore[index]


def test_frozen_features_fire_feature_freshness_lost(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    frozen_at = str(time.time() - 5)
    rewrite_feed(ml_stack, lambda row: {**row, "generated_at": frozen_at})
    wait_firing(ml_monitoring, "FeatureFreshnessLost")


def test_a_stalled_feature_service_fires_high_latency_and_high_error_rate(
    ml_stack: Stack, ml_monitoring: Monitoring
) -> None:
    pid = read_pid_file(ml_stack.services[FEATURE_SERVICE].pid_file)
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_firing(ml_monitoring, "HighP99Latency")
        wait_firing(ml_monitoring, "HighErrorRate")
    finally:
        os.kill(pid, signal.SIGCONT)
