"""The lines of defence behind the watchdog: a toxic's lease, renewed while the runner lives and
enforced by the proxy itself; ``chaosml reap`` for whatever else runs that died with their
watchdog left; ``--no-watchdog``, visible in the journal and the report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.watchdog.kill_env import (
    ProxyApi,
    kill_group,
    of,
    poll,
    start_run,
)

LEASE_S = 1.5
SWEEP_SLACK_S = 0.5  # the proxy checks leases every 200 ms; the rest is this machine's load

EXPERIMENT = """
version: 1
title: lease trial
method:
  - fault: process.run
    name: marker
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - fault: proxy.latency
    proxy: {{api: "{api}", name: feed}}
    latency: 200ms
  - wait: {wait}
"""


class Trial:
    def __init__(self, tmp: Path, api: ProxyApi, wait: str = "60s") -> None:
        self.marker, self.journal = tmp / "marker", tmp / "j.jsonl"
        self.exp = tmp / "exp.yaml"
        self.exp.write_text(EXPERIMENT.format(marker=self.marker, api=api.url, wait=wait))
        self.env = {"CHAOSML_LEASE_SECONDS": str(LEASE_S), "CHAOSML_RUNS_DIR": str(tmp / "runs")}
        self.api = api

    def start(self, runners: list[subprocess.Popen[str]], *extra: str) -> subprocess.Popen[str]:
        proc = start_run(str(self.exp), "--journal", str(self.journal), *extra, env=self.env)
        runners.append(proc)
        poll(lambda: bool(self.api.toxics()) and self.marker.exists(), "the faults")
        return proc

    def chaosml(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chaosml", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **self.env},
        )


@pytest.fixture
def trial(tmp_path: Path, proxy_api: ProxyApi) -> Iterator[Trial]:
    made = Trial(tmp_path, proxy_api)
    yield made
    made.marker.unlink(missing_ok=True)
    proxy_api.clear()


def test_runner_and_watchdog_killed_the_lease_expires_the_toxic_and_reap_does_the_rest(
    trial: Trial, runners: list[subprocess.Popen[str]]
) -> None:
    proc = trial.start(runners)
    watchdog = of(trial.journal, "watchdog.started")[0]["pid"]
    os.kill(watchdog, signal.SIGKILL)
    killed = kill_group(proc)

    gone = poll(lambda: not trial.api.toxics(), "the lease to expire", LEASE_S + 5) - killed
    assert gone <= LEASE_S + SWEEP_SLACK_S, f"the toxic went {gone:.2f}s after the kill"
    assert trial.marker.exists()  # nobody undid the local fault: it has no lease

    dry = trial.chaosml("reap", "--dry-run", "--proxy", trial.api.url)
    assert dry.returncode == 0, dry.stderr
    assert "would run" in dry.stdout and "remove toxics" in dry.stdout
    assert trial.marker.exists()

    reaped = trial.chaosml("reap", "--proxy", trial.api.url)
    assert reaped.returncode == 0, reaped.stderr
    assert not trial.marker.exists()
    end = of(trial.journal, "run.end")[-1]
    assert end["ended_by"] == "reap" and "chaosml reap undid 2 faults" in end["reason"]
    shown = trial.chaosml("report", str(trial.journal)).stdout
    assert "watchdog: the runner died; chaosml reap ended the faults" in shown
    assert {e["by"] for e in of(trial.journal, "fault.reverted")} == {"reap"}

    again = trial.chaosml("reap", "--proxy", trial.api.url)
    assert again.returncode == 0 and "nothing to reap" in again.stdout


def test_a_living_runner_renews_the_lease_of_its_toxics(
    trial: Trial, runners: list[subprocess.Popen[str]]
) -> None:
    proc = trial.start(runners)
    until = time.monotonic() + 2 * LEASE_S
    while time.monotonic() < until:  # two whole leases: only renewals keep it
        assert trial.api.toxics(), "the toxic of a living run expired"
        time.sleep(0.1)
    kill_group(proc)  # the watchdog undoes it now
    poll(lambda: not trial.api.toxics() and not trial.marker.exists(), "the watchdog's undo", 10)


def test_no_watchdog_leaves_the_faults_and_says_so(
    trial: Trial, runners: list[subprocess.Popen[str]]
) -> None:
    proc = trial.start(runners, "--no-watchdog")
    kill_group(proc)
    assert of(trial.journal, "watchdog.off")[0]["reason"] == "--no-watchdog"
    assert not of(trial.journal, "watchdog.started")
    report = trial.chaosml("report", str(trial.journal))
    assert "watchdog: off (--no-watchdog)" in report.stdout, report.stdout
    poll(lambda: not trial.api.toxics(), "the lease to expire", LEASE_S + 5)
    assert trial.marker.exists()  # no watchdog: the local fault stays until a person acts
    done = trial.chaosml("rollback", str(trial.journal))
    assert done.returncode == 0, done.stderr
    assert not trial.marker.exists()


def test_kept_faults_keep_their_toxics_past_the_lease(trial: Trial) -> None:
    trial.exp.write_text(trial.exp.read_text().replace("wait: 60s", "wait: 0s"))
    done = trial.chaosml("run", str(trial.exp), "--journal", str(trial.journal), "--keep-faults")
    assert done.returncode == 0, done.stderr
    kept = trial.api.toxics()
    assert kept and kept[0]["attributes"]["chaosml_expires_at"] == 0
    poll(lambda: watchdog_exited(trial.journal), "the watchdog to exit", 10)
    assert trial.api.toxics() and trial.marker.exists()
    assert trial.chaosml("rollback", str(trial.journal)).returncode == 0


def watchdog_exited(journal: Path) -> bool:
    from chaosml.io import procfs

    return all(not procfs.alive(e["pid"]) for e in of(journal, "watchdog.started"))


def test_the_proxy_expires_a_leased_toxic_and_keeps_one_without(proxy_api: ProxyApi) -> None:
    toxics = f"{proxy_api.url}/proxies/{proxy_api.name}/toxics"
    lease = {"latency": 10, "chaosml_expires_at": time.time() + 0.5}
    expiring = {"name": "leased", "type": "latency", "attributes": lease}
    plain = {"name": "plain", "type": "latency", "attributes": {"latency": 10}}
    try:
        for body in (expiring, plain):
            assert requests.post(toxics, json=body, timeout=5).status_code == 200
        shown = requests.get(f"{toxics}/leased", timeout=5).json()
        assert shown["attributes"]["chaosml_expires_at"] > time.time() - 1
        poll(lambda: [t["name"] for t in proxy_api.toxics()] == ["plain"], "the lease", 5)
    finally:
        proxy_api.clear()


def test_the_watchdog_ignores_sigint_and_sighup_meant_for_the_terminal(
    trial: Trial, runners: list[subprocess.Popen[str]]
) -> None:
    proc = trial.start(runners)
    watchdog = of(trial.journal, "watchdog.started")[0]["pid"]
    assert os.getsid(watchdog) == watchdog != os.getsid(proc.pid)  # a session of its own
    for sig in (signal.SIGINT, signal.SIGHUP):
        os.kill(watchdog, sig)
    killed = kill_group(proc)
    gone = poll(lambda: not trial.marker.exists() and not trial.api.toxics(), "the undo", 10)
    assert gone - killed < 5.0
    poll(lambda: bool(of(trial.journal, "run.end")), "the watchdog's run.end", 10)
    assert of(trial.journal, "run.end")[-1]["ended_by"] == "watchdog"
