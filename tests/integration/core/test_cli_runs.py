"""`chaosml run` end to end against a local HTTP server the test starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.http_servers import QuietHandler, serving


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        self.reply_json(200 if self.path == "/health" else 503, {"score": 0.42})


@pytest.fixture
def server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def _run(tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict[str, object]], str]:
    exp = tmp_path / "exp.yaml"
    exp.write_text(text)
    journal = tmp_path / "j.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", str(journal), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHAOSML_HALT_FILE": str(tmp_path / "HALT")},
    )
    events = [json.loads(x) for x in journal.read_text().splitlines()] if journal.exists() else []
    return done.returncode, events, done.stdout + done.stderr


def test_not_steady_before_exits_3_and_applies_nothing(tmp_path: Path, server: str) -> None:
    marker = tmp_path / "marker"
    code, events, out = _run(
        tmp_path,
        f"""
version: 1
title: unhealthy before
steady_state:
  - name: ready
    http: {{url: "{server}/ready"}}
    expect: {{status: 200}}
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, "{marker}"]
""",
    )
    assert code == 3, out
    assert not marker.exists()
    assert not [e for e in events if e["event"] == "fault.applied"]
    assert "503" in out


def test_probe_failing_during_the_method_exits_1_and_undoes(tmp_path: Path, server: str) -> None:
    marker = tmp_path / "marker"
    code, events, out = _run(
        tmp_path,
        f"""
version: 1
title: deviates
steady_state:
  - name: health
    http: {{url: "{server}/health"}}
    expect: {{status: 200, json: {{path: "$.score", between: [0, 1]}}}}
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, "{marker}"]
  - probe:
      name: score in range
      http: {{url: "{server}/health"}}
      expect: {{json: {{path: "$.score", above: 0.9}}}}
""",
    )
    assert code == 1, out
    assert not marker.exists()
    assert [e["ok"] for e in events if e["event"] == "fault.reverted"] == [True]
    assert "score in range" in out


def test_dry_run_prints_the_plan_and_touches_nothing(tmp_path: Path, server: str) -> None:
    marker = tmp_path / "marker"
    code, _events, out = _run(
        tmp_path,
        f"""
version: 1
title: plan only
method:
  - fault: process.run
    command: [touch, "{marker}"]
    duration: 30s
  - wait: 10s
""",
        "--dry-run",
    )
    assert code == 0, out
    assert "PLAN" in out and "process.run" in out and "t+   10s" not in out
    assert not marker.exists()
