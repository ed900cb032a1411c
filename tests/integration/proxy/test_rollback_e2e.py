"""A runner killed with SIGKILL mid-fault: ``chaosml rollback JOURNAL`` removes the toxic and
restores the feature file, in a new process, and is safe to run twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fixtures.proxy_env import EchoServer, ProxyProcess, wait_until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]

EXPERIMENT = """
version: 1
title: killed mid-fault
blast_radius: {environments: [dev], max_duration: 5m}
method:
  - fault: proxy.latency
    proxy: {api: "API", name: echo}
    latency: 100ms
  - fault: feed.corrupt
    file: "FILE"
    mode: null
    fields: [age]
  - wait: 60s
"""


def applied_count(journal: Path) -> int:
    if not journal.exists():
        return 0
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    return sum(1 for e in lines if e["event"] == "fault.applied")


def test_rollback_after_sigkill_undoes_proxy_and_file_faults(
    proxy_process: ProxyProcess, echo_server: EchoServer, tmp_path: Path
) -> None:
    proxy_process.create("echo", echo_server.port)
    features = tmp_path / "features.jsonl"
    features.write_text("".join(json.dumps({"id": i, "age": i}) + "\n" for i in range(20)))
    original = features.read_bytes()
    experiment = tmp_path / "killed.yaml"
    experiment.write_text(
        EXPERIMENT.replace("API", proxy_process.api_url).replace("FILE", str(features))
    )
    journal = tmp_path / "journal.jsonl"
    command = [
        sys.executable,
        "-m",
        "chaosml",
        "run",
        str(experiment),
        "--env",
        "dev",
        "--journal",
        str(journal),
        "--no-watchdog",  # a person's `chaosml rollback` is tested here, not the watchdog's
    ]
    runner = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_until(lambda: applied_count(journal) == 2, timeout=30)
    finally:
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(timeout=10)
    toxics_url = f"{proxy_process.api_url}/proxies/echo/toxics"
    assert len(requests.get(toxics_url, timeout=5).json()) == 1
    assert features.read_bytes() != original
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "chaosml", "rollback", str(journal)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert requests.get(toxics_url, timeout=5).json() == []
        assert features.read_bytes() == original
