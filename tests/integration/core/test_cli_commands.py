"""The small commands and the local-process drivers, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaosml.drivers.process_driver import find_pids
from chaosml.errors import DriverError
from chaosml.io import subprocesses


def chaosml(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_version_and_help() -> None:
    assert chaosml("--version").stdout.startswith("chaosml 0.")
    assert "run" in chaosml("--help").stdout


def test_drivers_lists_every_builtin_kind() -> None:
    out = chaosml("drivers").stdout
    for kind in (
        "docker.kill",
        "proxy.latency",
        "feed.corrupt",
        "telemetry.stop",
        "prometheus",
        "alert",
    ):
        assert kind in out
    assert "REFUSED" not in out


def test_schema_is_json_with_every_driver() -> None:
    schema = json.loads(chaosml("schema").stdout)
    assert schema["required"] == ["version", "title", "method"]
    text = json.dumps(schema)
    assert '"const": "docker.kill"' in text and '"http"' in text


def test_halt_refuses_new_runs_until_cleared(tmp_path: Path) -> None:
    env = {"CHAOSML_HALT_FILE": str(tmp_path / "HALT")}
    exp = tmp_path / "e.yaml"
    exp.write_text("version: 1\ntitle: t\nmethod:\n  - wait: 0s\n")
    assert chaosml("halt", "--reason", "incident 42", env=env).returncode == 0
    refused = chaosml("run", str(exp), "--journal-dir", str(tmp_path), env=env)
    assert refused.returncode == 2 and "incident 42" in refused.stdout + refused.stderr
    assert chaosml("halt", "--clear", env=env).returncode == 0
    assert chaosml("run", str(exp), "--journal-dir", str(tmp_path), env=env).returncode == 0


def test_python_probe_needs_allow_python(tmp_path: Path) -> None:
    exp = tmp_path / "e.yaml"
    exp.write_text(
        "version: 1\ntitle: t\nmethod:\n  - probe: {name: cpus, python: {call: 'os:cpu_count'}, expect: {above: 0}}\n"
    )
    refused = chaosml("run", str(exp), "--journal-dir", str(tmp_path))
    assert refused.returncode == 2 and "--allow-python" in refused.stdout + refused.stderr
    assert (
        chaosml("run", str(exp), "--journal-dir", str(tmp_path), "--allow-python").returncode == 0
    )


def test_process_kill_with_restart_undo(tmp_path: Path) -> None:
    marker = f"chaosml-test-sleeper-{os.getpid()}"
    cmd = [sys.executable, "-c", f"import time; time.sleep(300)  # {marker}"]
    victim = subprocess.Popen(cmd, start_new_session=True)
    exp = tmp_path / "e.yaml"
    exp.write_text(f"""
version: 1
title: kill and restart a local process
method:
  - fault: process.kill
    pattern: "{marker}"
    signal: SIGKILL
    restart: {json.dumps(cmd)}
  - probe:
      name: the process is gone
      process: {{command: [pgrep, -f, "{marker}"]}}
      expect: {{exit_code: 1}}
""")
    try:
        done = chaosml("run", str(exp), "--journal-dir", str(tmp_path))
        assert done.returncode == 0, done.stdout + done.stderr
        victim.wait(timeout=10)
        restarted = find_pids(None, marker)
        assert len(restarted) == 1 and restarted[0] != victim.pid
    finally:
        for pid in find_pids(None, marker):
            os.kill(pid, 9)
        if victim.poll() is None:
            victim.kill()


def test_a_timed_out_command_is_killed_with_its_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "child-still-alive"
    script = f"(sleep 3; touch {marker}) & sleep 30"
    started = time.monotonic()
    with pytest.raises(DriverError, match="timed out"):
        subprocesses.run(script, shell=True, timeout=0.5)
    assert time.monotonic() - started < 5
    time.sleep(3.5)
    assert not marker.exists()  # the background child died with the group


def test_validate_checks_a_gameday_plan_and_its_experiments(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("version: 1\ntitle: g\nmethod:\n  - wait: 0s\n")
    (tmp_path / "bad.yaml").write_text("version: 1\ntitle: b\nmethod:\n  - wiat: 0s\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "version: 1\ntitle: drill\nexperiments:\n  - path: good.yaml\n  - path: bad.yaml\n"
    )
    done = chaosml("validate", str(plan))
    assert done.returncode == 2 and "bad.yaml" in done.stderr and "game-day plan" in done.stdout
    (tmp_path / "bad.yaml").write_text("version: 1\ntitle: b\nmethod:\n  - wait: 0s\n")
    assert chaosml("validate", str(plan)).returncode == 0
