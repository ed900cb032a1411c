"""``chaosml run --dry-run`` as a user sees it: the plan first (planned offsets, readable
steps), then the verdict, and nothing written — no journal, no lock, no file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXPERIMENT = """\
version: 1
title: plan only
secrets:
  token: ${env:DRY_TOKEN}
blast_radius: {environments: [dev], max_duration: 5m}
method:
  - fault: process.run
    command: [touch, "MARKER"]
    undo: [rm, "MARKER"]
    duration: 30s
  - wait: 5s
  - probe:
      name: still answering
      process: {command: [echo, "${token}"]}
      expect: {exit_code: 0}
  - fault: proxy.latency
    proxy: {api: "http://127.0.0.1:9", name: features}
    latency: 300ms
    background: true
  - expect_alert:
      name: SlowFeatures
      source: {prometheus: "http://127.0.0.1:9"}
      fires_within: 20s
"""


def _dry_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "exp.yaml").write_text(EXPERIMENT.replace("MARKER", str(tmp_path / "marker")))
    env = {
        **os.environ,
        "DRY_TOKEN": "s3cr3t-t0ken",
        "CHAOSML_LOCK_DIR": str(tmp_path / "locks"),
        "CHAOSML_HALT_FILE": str(tmp_path / "HALT"),
    }
    return subprocess.run(
        [sys.executable, "-m", "chaosml", "run", "exp.yaml", "--dry-run", *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _written(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))


def test_dry_run_shows_planned_offsets_and_readable_steps(tmp_path: Path) -> None:
    done = _dry_run(tmp_path, "--env", "dev")
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [line.split(None, 2) for line in done.stdout.splitlines() if "] " in line]
    offsets = {int(s[1].strip("[]")): s[0] for s in steps}
    assert offsets == {0: "t+0ms", 1: "t+30s", 2: "t+35s", 3: "t+35s", 4: "t+35s"}
    out = done.stdout
    assert f"fault process.run: command=touch {tmp_path / 'marker'}, undo=rm" in out
    assert "— for 30s" in out
    assert (
        "fault proxy.latency: proxy.api=http://127.0.0.1:9, proxy.name=features, latency=300ms"
        in out
    )
    assert "{" not in out and "shell" not in out and "percent" not in out  # no dicts, no defaults
    assert "wait 5s" in out and "probe still answering" in out
    assert "s3cr3t-t0ken" not in out + done.stderr


def test_dry_run_prints_the_plan_before_its_verdict_and_writes_nothing(tmp_path: Path) -> None:
    done = _dry_run(tmp_path, "--env", "dev", "--journal", "j.jsonl")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.index("PLAN — plan only") < out.index("DRY RUN OK (exit 0)")
    assert "COMPLETED" not in out
    assert "no journal, no lock, no file" in out
    assert "journal:" not in out
    assert _written(tmp_path) == ["work", "work/exp.yaml"]


def test_refused_dry_run_says_why_and_writes_nothing(tmp_path: Path) -> None:
    done = _dry_run(tmp_path, "--env", "prod")
    assert done.returncode == 2
    assert "REFUSED (exit 2): environment 'prod' is not allowed" in done.stderr
    assert "PLAN" not in done.stdout
    assert _written(tmp_path) == ["work", "work/exp.yaml"]
