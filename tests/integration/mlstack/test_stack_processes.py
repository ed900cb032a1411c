"""The example stack as local processes: what a user of /predict and /metrics sees."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

from chaosml.demo.stack import FEATURE_SERVICE, MODEL_SERVER, TRAFFIC, Stack, start_stack
from chaosml.io import procfs
from tests.fixtures.mlstack_env import (
    TEST_ENV,
    http_json,
    http_text,
    metric,
    wait_until,
)

MODEL_SERIES = (
    "model_request_seconds_bucket",
    "model_requests_total",
    "model_errors_total",
    "model_invalid_features_total",
    "model_prediction_score_bucket",
    "model_feature_age_seconds",
    "model_serving_feature_mean",
    "model_training_feature_mean",
    "model_training_feature_stddev",
    "model_training_prediction_mean",
    "model_age_seconds",
    "model_info",
    "model_dependency_info",
    "model_dependency_expected_info",
)


def test_predict_answers_a_probability(ml_stack: Stack) -> None:
    status, _, body = http_json("POST", f"{ml_stack.model_url}/predict", {"entity_id": 7})
    assert status == 200
    assert 0.0 <= body["score"] <= 1.0
    assert body["imputed"] == []


def test_the_feature_service_serves_the_work_dir_feed(ml_stack: Stack) -> None:
    status, headers, body = http_json("GET", f"{ml_stack.feature_url}/features/7")
    assert status == 200
    assert headers["X-Feature-Service-Version"] == "1.0.0"
    assert set(body["features"]) == {
        "age",
        "income",
        "tenure_months",
        "txn_count_30d",
        "debt_ratio",
    }


def test_model_metrics_carry_every_series_the_rules_use(ml_stack: Stack) -> None:
    def all_present() -> list[str]:
        text = http_text(f"{ml_stack.model_url}/metrics")
        missing = [name for name in MODEL_SERIES if metric(text, name) is None]
        return [] if missing else ["ok"]

    wait_until(all_present, within=20, what="every model-server series")


def test_traffic_drives_predictions_and_the_prober_sees_the_server(ml_stack: Stack) -> None:
    def served() -> float:
        text = http_text(f"{ml_stack.model_url}/metrics")
        return metric(text, "model_requests_total", code="200") or 0.0

    wait_until(lambda: served() >= 20, within=10, what="20 predictions from the traffic generator")
    text = http_text(f"{ml_stack.traffic_url}/metrics")
    assert metric(text, "traffic_target_up", target="model-server") == 1.0
    assert metric(text, "traffic_requests_total", outcome="200") >= 1  # type: ignore[operator]


def test_a_corrupted_data_file_reaches_the_model_as_invalid_features(ml_stack: Stack) -> None:
    lines = ml_stack.data_file.read_text().splitlines()
    corrupted = [lines[0]] + [_nan_age(line) for line in lines[1:]]
    ml_stack.data_file.write_text("\n".join(corrupted) + "\n")
    status, _, body = http_json("POST", f"{ml_stack.model_url}/predict", {"entity_id": 3})
    assert status == 200
    assert body["imputed"] == ["age"]
    assert math.isfinite(body["score"])
    text = http_text(f"{ml_stack.model_url}/metrics")
    assert metric(text, "model_invalid_features_total", reason="nan", feature="age") >= 1  # type: ignore[operator]


def _nan_age(line: str) -> str:
    entity_id, _age, *rest = line.split(",")
    return ",".join([entity_id, "nan", *rest])


def test_pid_files_name_the_running_services(ml_stack: Stack) -> None:
    for name in (FEATURE_SERVICE, MODEL_SERVER, TRAFFIC):
        pid = procfs.read_pid_file(ml_stack.services[name].pid_file)
        assert pid == ml_stack.pid(name)
        assert "chaosml.demo" in procfs.command_line(pid)


def _stack_processes(work_dir: Path) -> list[int]:
    """Pids of live processes whose environment marks them as services of this stack."""
    marker = f"CHAOSML_DEMO_STACK={work_dir}".encode()
    return [
        pid
        for pid in procfs.other_pids()
        if marker in procfs.environ(pid) and procfs.command_line(pid)
    ]


def test_stop_ends_every_service_also_a_restarted_one_without_pid_file() -> None:
    stack = start_stack(rate=5, extra_env=TEST_ENV)
    try:
        old_pid = stack.pid(MODEL_SERVER)
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        stack.services[MODEL_SERVER].process.wait(timeout=5)  # type: ignore[union-attr]
        restarted = subprocess.Popen(
            stack.command(MODEL_SERVER),
            env=stack.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(
            lambda: procfs.read_pid_file(stack.services[MODEL_SERVER].pid_file) == restarted.pid,
            within=10,
            what="the restarted model server's pid file",
        )
        assert len(_stack_processes(stack.work_dir)) == 3
        stack.services[MODEL_SERVER].pid_file.unlink()  # lost, e.g. in a race with the old one
    finally:
        stack.stop()
    assert restarted.wait(timeout=10) == 0  # stopped with SIGTERM: a clean exit
    assert _stack_processes(stack.work_dir) == []
    assert not stack.work_dir.exists()


def test_traffic_generator_exits_cleanly_on_sigterm(ml_stack: Stack) -> None:
    proc = ml_stack.services[TRAFFIC].process
    assert proc is not None
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_the_stack_runs_in_the_foreground_and_stops_on_sigterm(tmp_path: Path) -> None:
    work = tmp_path / "stack"
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml.demo.stack", "--work-dir", str(work), "--rate", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **TEST_ENV},
        start_new_session=True,
    )
    try:
        first_line = proc.stdout.readline()  # type: ignore[union-attr]
        assert first_line.strip() == "{"
        wait_until(lambda: len(_stack_processes(work)) == 3, within=10, what="three services")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert _stack_processes(work) == []
