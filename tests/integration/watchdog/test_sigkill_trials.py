"""SIGKILL of the runner's process group at random moments of real runs: the watchdog undoes
every fault with no command from a person, within the undo timeouts + 2 s of the kill, and
the journal says who undid what. 44 trials on local faults (a process.run marker, a feature
file corrupted, a proxy toxic), 6 on Docker (a paused container). The seed of every trial is in
every failure message (BASE_SEED + the trial number in the test id); CHAOSML_TRIAL_SEED=N replays a
series."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures.docker_env import ContainerFactory
from tests.integration.watchdog.kill_env import (
    CSV,
    TRIAL_SEED,
    ProxyApi,
    check_journal,
    kill_group,
    of,
    poll,
    start_run,
)

BASE_SEED = TRIAL_SEED  # printed in pytest's header
LOCAL_TRIALS = 44
DOCKER_TRIALS = 6
UNDO_TIMEOUT_S = 30.0  # the default undo timeout of a run
WITHIN_S = 5.0  # what the trials must meet (well inside UNDO_TIMEOUT_S + 2 s)
KILL_SPAN_S = 1.1  # kill moments are drawn in [0, span) after the run's journal appears

LOCAL = """
version: 1
title: watchdog trial (local faults)
method:
  - fault: process.run
    name: marker
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - fault: feed.corrupt
    file: "{csv}"
    mode: nan
    fields: [x]
  - fault: proxy.latency
    proxy: {{api: "{api}", name: feed}}
    latency: 300ms
  - wait: 400ms
"""

DOCKER = """
version: 1
title: watchdog trial (docker)
blast_radius:
  targets:
    model:
      docker: {{labels: {{wdtrial: "{label}"}}}}
      min_matches: 1
      max_percent: 100
method:
  - fault: docker.pause
    target: model
  - fault: process.run
    name: marker
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - wait: 400ms
"""


def _offsets(count: int, start: int) -> list[int]:
    """Trial numbers, the same in every pytest-xdist worker (ids must not depend on the seed:
    workers collect separately); the seed of a trial is BASE_SEED + its number, and every
    failure message names it."""
    return [start + i for i in range(count)]


def _pairs(offsets: list[int]) -> list[tuple[int, int]]:
    return list(zip(offsets[::2], offsets[1::2], strict=True))


@pytest.mark.parametrize(
    "trials", _pairs(_offsets(LOCAL_TRIALS, 0)), ids=lambda p: f"trials{p[0]}+{p[1]}"
)
def test_runner_sigkilled_local_faults_all_undone_by_the_watchdog(
    trials: tuple[int, int],
    tmp_path: Path,
    proxy_api: ProxyApi,
    runners: list[subprocess.Popen[str]],
) -> None:
    """Two trials at a time (each its own run, files and toxics): half the wall time."""
    seeds = [BASE_SEED + t for t in trials]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            trials = [
                pool.submit(_local_trial, seed, tmp_path / str(seed), proxy_api, runners)
                for seed in seeds
            ]
            for trial in trials:
                trial.result()
    finally:
        proxy_api.clear()


def _local_trial(
    seed: int, tmp: Path, proxy_api: ProxyApi, runners: list[subprocess.Popen[str]]
) -> None:
    rng = random.Random(seed)
    tmp.mkdir()
    marker, csv, journal = tmp / "marker", tmp / "feed.csv", tmp / "j.jsonl"
    csv.write_text(CSV)
    exp = tmp / "exp.yaml"
    exp.write_text(LOCAL.format(marker=marker, csv=csv, api=proxy_api.url))
    person = rng.random() < 0.2  # sometimes a person runs chaosml rollback at once, too
    killed = _kill_at_random(rng, exp, journal, runners)
    if person:
        _person_rolls_back(journal)

    def clean() -> bool:
        toxics = [t for t in proxy_api.toxics() if _run_id(journal) in t["name"]]
        return not marker.exists() and csv.read_text() == CSV and not toxics

    took = poll(clean, f"every fault undone (seed {seed})", UNDO_TIMEOUT_S + 2) - killed
    assert took <= WITHIN_S, f"seed {seed}: faults undone {took:.2f}s after the kill"
    check_journal(journal)


def _run_id(journal: Path) -> str:
    """The run's id ("-" before its run.start: no toxic can be named after it yet)."""
    started = of(journal, "run.start")
    return str(started[0]["run_id"]) if started else "-"


@pytest.mark.parametrize("trial", _offsets(DOCKER_TRIALS, 1000), ids=lambda t: f"trial{t}")
def test_runner_sigkilled_docker_pause_undone_by_the_watchdog(
    trial: int,
    tmp_path: Path,
    containers: ContainerFactory,
    runners: list[subprocess.Popen[str]],
) -> None:
    seed = BASE_SEED + trial
    rng = random.Random(seed)
    label = f"t{seed}"
    box = containers.run(labels={"wdtrial": label, "chaosml.io/allow": "true"}, http=False)
    marker, journal, exp = tmp_path / "marker", tmp_path / "j.jsonl", tmp_path / "exp.yaml"
    exp.write_text(DOCKER.format(label=label, marker=marker))
    killed = _kill_at_random(rng, exp, journal, runners)

    def clean() -> bool:
        return not marker.exists() and box.state() == "running"

    took = poll(clean, f"the container unpaused (seed {seed})", UNDO_TIMEOUT_S + 2) - killed
    assert took <= WITHIN_S, f"seed {seed}: faults undone {took:.2f}s after the kill"
    check_journal(journal)


def _kill_at_random(
    rng: random.Random, exp: Path, journal: Path, runners: list[subprocess.Popen[str]]
) -> float:
    delay = rng.uniform(0, KILL_SPAN_S)
    proc = start_run(str(exp), "--journal", str(journal))
    runners.append(proc)
    poll(lambda: journal.exists() or proc.poll() is not None, "the run's journal")
    time.sleep(delay)  # the random moment of the kill (what the trial is about, not a wait)
    print(f"killing the runner {delay:.3f}s after its journal appeared ({journal})")
    return kill_group(proc)


def _person_rolls_back(journal: Path) -> None:
    """``chaosml rollback`` at the same time as the watchdog: one of them undoes each fault."""
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 2), done.stderr
