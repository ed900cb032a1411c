"""Errors as a new user meets them: one clear line per cause, with the next step.

An unreachable Prometheus (a real closed port), a missing environment variable used twice, a
run refused by the halt switch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from chaosml.io.ports import free_port


def _chaosml(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_PROMETHEUS"}
    env["CHAOSML_HALT_FILE"] = str(tmp_path / "HALT")
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _experiment(tmp_path: Path, prometheus: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"""\
version: 1
title: errors
vars:
  prometheus: {prometheus}
blast_radius: {{environments: [dev], max_duration: 5m}}
steady_state:
  - name: p99 below 250 ms
    prometheus: {{url: "${{prometheus}}", query: up}}
    expect: {{below: 1}}
guards:
  - name: error rate
    prometheus: {{url: "${{prometheus}}", query: up}}
    expect: {{below: 1}}
method:
  - wait: 100ms
"""
    )
    return path


def test_unreachable_prometheus_is_one_short_reason_and_the_next_step(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = _chaosml(tmp_path, "run", str(_experiment(tmp_path, url)), "--env", "dev")
    out = done.stdout + done.stderr
    assert done.returncode == 5, out
    for noise in ("HTTPConnectionPool", "Max retries", "NewConnectionError", "Errno"):
        assert noise not in out
    verdict = [line for line in out.splitlines() if "FAILED (exit 5)" in line]
    assert verdict == [
        f"{verdict[0].split(']')[0]}] FAILED (exit 5): cannot reach Prometheus at {url}: "
        f"connection refused → is Prometheus running? check {url}/-/ready"
    ]


def test_a_missing_environment_variable_is_reported_once_not_per_use(tmp_path: Path) -> None:
    exp = _experiment(tmp_path, "${env:NO_SUCH_PROMETHEUS}")
    done = _chaosml(tmp_path, "validate", str(exp))
    assert done.returncode == 2
    out = done.stdout + done.stderr
    assert "1 problem found" in out
    assert "environment variable NO_SUCH_PROMETHEUS is not set" in out
    assert "should match pattern" not in out


def test_the_halt_refusal_says_how_to_clear_it(tmp_path: Path) -> None:
    assert _chaosml(tmp_path, "halt").returncode == 0
    exp = _experiment(tmp_path, "http://127.0.0.1:9")
    done = _chaosml(tmp_path, "run", str(exp), "--env", "dev")
    assert done.returncode == 2
    assert "REFUSED (exit 2): the halt switch is on" in done.stdout
    assert "chaosml halt --clear" in done.stdout
    dry = _chaosml(tmp_path, "run", str(exp), "--env", "dev", "--dry-run")
    assert dry.returncode == 2 and "chaosml halt --clear" in dry.stderr
