"""End to end: experiments/feature-latency.yaml with the CLI, the real proxy, a feature service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.proxy_env import FeatureServer, ProxyProcess

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
EXPERIMENT = ROOT / "experiments" / "feature-latency.yaml"


def run_cli(
    experiment: Path, journal: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "chaosml", "run", str(experiment), "--env", "dev",
               "--journal", str(journal)]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, **env}, cwd=ROOT
    )


def events(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]


def test_latency_rises_during_the_fault_and_recovers(
    proxy_process: ProxyProcess, feature_server: FeatureServer, tmp_path: Path
) -> None:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    journal = tmp_path / "journal.jsonl"
    env = {"PROXY_API": proxy_process.api_url, "FEATURES_URL": f"http://127.0.0.1:{port}"}
    done = run_cli(EXPERIMENT, journal, env)
    assert done.returncode == 0, done.stdout + done.stderr
    log = events(journal)
    during = [e for e in log if e["event"] == "probe.result" and e["phase"] == "method"]
    assert during and during[0]["ok"] and during[0]["value"]["value"] > 0.25
    after = [e for e in log if e["event"] == "probe.result" and e["phase"] == "recovery"]
    assert after and after[-1]["ok"] and after[-1]["value"]["value"] < 0.1
    reverted = [e for e in log if e["event"] == "fault.reverted"]
    assert reverted and all(e["ok"] for e in reverted)
    assert log[-1]["event"] == "run.end" and log[-1]["status"] == "completed"
    proxy = json.loads(
        subprocess.run(["curl", "-s", f"{proxy_process.api_url}/proxies/features"], capture_output=True,
                       text=True, check=True).stdout
    )  # fmt: skip
    assert proxy["toxics"] == []


def test_proxy_gone_before_the_undo_ends_with_exit_6(
    proxy_process: ProxyProcess, feature_server: FeatureServer, tmp_path: Path
) -> None:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    experiment = tmp_path / "gone.yaml"
    kill = f"  - action: process.run\n    command: [kill, '{proxy_process.process.pid}']\n    timeout: 5s\n"
    text = EXPERIMENT.read_text().replace("recovery:", kill + "\nrecovery:")
    text = text.replace("max_duration: 2m", "max_duration: 10m")
    experiment.write_text(text)
    journal = tmp_path / "journal.jsonl"
    env = {"PROXY_API": proxy_process.api_url, "FEATURES_URL": f"http://127.0.0.1:{port}"}
    done = run_cli(experiment, journal, env)
    assert done.returncode == 6, done.stdout + done.stderr
    end = events(journal)[-1]
    assert end["event"] == "run.end" and end["status"] == "rollback-incomplete"
    assert end["pending_undos"]
