"""Running ``chaosml run`` as a user does (a subprocess) and reading the journal it leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.errors import ChaosMLError
from chaosml.io import http_client

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]]
    ended_at: float  # wall time the process exited
    watched: list[Any] = field(default_factory=list)

    def of(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event]

    def one(self, event: str) -> dict[str, Any]:
        found = self.of(event)
        assert len(found) == 1, f"expected one {event}, got {found}\n{self.output}"
        return found[0]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def write_experiment(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "experiment.yaml"
    path.write_text(text)
    return path


def run_chaosml(
    experiment: Path,
    tmp_path: Path,
    *,
    during: Callable[[subprocess.Popen[str]], Any] | None = None,
    timeout: float = 120.0,
    args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> RunResult:
    """``chaosml run EXPERIMENT --env test --journal J ARGS``; ``during(proc)`` runs while it
    runs; ``extra_env`` is added to the run's environment (e.g. faketime's)."""
    journal = tmp_path / f"journal-{time.time_ns()}.jsonl"  # a fresh one per run
    argv = [sys.executable, "-m", "chaosml", "run", str(experiment), "--env", "test"]
    proc = subprocess.Popen(
        [*argv, "--journal", str(journal), *args],
        cwd=REPO_ROOT,
        env={**_isolated_env(tmp_path), **(extra_env or {})},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        watched = during(proc) if during else None
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    ended_at = time.time()
    result = RunResult(proc.returncode, stdout, stderr, read_journal(journal), ended_at)
    result.watched = watched if isinstance(watched, list) else [watched]
    return result


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CHAOSML_HALT_FILE"] = str(tmp_path / "HALT")
    env["CHAOSML_LOCK_DIR"] = str(tmp_path / "locks")
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["CHAOSML_TEST"] = "1"  # inherited by what the run starts (restart commands)
    return env


def read_journal(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``check()`` every 20 ms; the wall time it became true. AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.time()
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


class ActiveAtWatcher:
    """Reads Prometheus's own activeAt of an alert while a run goes on (the reference)."""

    def __init__(self, prometheus_url: str, name: str) -> None:
        self.url = prometheus_url + "/api/v1/alerts"
        self.name = name
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> ActiveAtWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                answer = http_client.request("GET", self.url, timeout=2.0).json()
                alerts = answer["data"]["alerts"] or []  # vmalert: null when none is active
            except (ChaosMLError, TypeError, KeyError):
                alerts = []
            for item in alerts:
                if item["labels"].get("alertname") == self.name:
                    self.seen.add(item["activeAt"])
            self._stop.wait(0.05)


def flow(items: list[str]) -> str:
    """A YAML flow list of strings."""
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def victim_kill_experiment(
    tmp_path: Path, victim: Any, prometheus: str, alertmanager: str, detect_in: str
) -> Path:
    """Kill the victim exporter (restarted by the undo); VictimDown must fire, read from
    ``detect_in`` (prometheus or alertmanager), and resolve, read from the other source."""
    detect = prometheus if detect_in == "prometheus" else alertmanager
    resolve_in, resolve = (
        ("alertmanager", alertmanager) if detect_in == "prometheus" else ("prometheus", prometheus)
    )
    return write_experiment(
        tmp_path,
        f"""
version: 1
title: Killing the victim exporter fires VictimDown
tags: [ml-test-score:M6]
blast_radius: {{environments: [test], max_duration: 2m}}
steady_state:
  - name: victim scraped
    prometheus: {{url: "{prometheus}", query: 'up{{job="victim"}}'}}
    expect: {{equals: 1}}
method:
  - fault: process.kill
    pid_file: "{victim.pid_file}"
    signal: SIGKILL
    restart: {flow(victim.argv())}
    restart_cwd: "{REPO_ROOT}"
  - expect_alert:
      name: VictimDown
      labels: {{severity: page}}
      source: {{{detect_in}: "{detect}"}}
      fires_within: 20s
recovery:
  within: 30s
  every: 1s
  alerts_resolve:
    - name: VictimDown
      source: {{{resolve_in}: "{resolve}"}}
""",
    )


def kill_and_expect(victim: Any, alert: str, source: str) -> str:
    """Method steps (YAML): SIGKILL the victim exporter (its undo restarts it), then expect
    ``alert`` (labelled severity=page) from ``source`` (a flow mapping) within 20 s."""
    return f"""
  - fault: process.kill
    pid_file: "{victim.pid_file}"
    signal: SIGKILL
    restart: {flow(victim.argv())}
    restart_cwd: "{REPO_ROOT}"
  - expect_alert:
      name: {alert}
      labels: {{severity: page}}
      source: {source}
      fires_within: 20s"""
