"""A game day SIGKILLed during an experiment and between two: nothing is left in place, and the
drill's journals say how it ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.integration.watchdog.kill_env import CSV, check_journal, kill_group, of, poll

EXPERIMENT = """
version: 1
title: drill step {n}
method:
  - fault: process.run
    name: marker
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - fault: feed.corrupt
    file: "{csv}"
    mode: nan
    fields: [x]
  - wait: {wait}
"""

PLAN = """
version: 1
title: watchdog drill
pause: {pause}
experiments:
  - path: one.yaml
  - path: two.yaml
"""


class Drill:
    def __init__(self, tmp: Path, wait: str, pause: str) -> None:
        self.tmp = tmp
        self.csv = tmp / "feed.csv"
        self.csv.write_text(CSV)
        self.markers = [tmp / "marker-1", tmp / "marker-2"]
        for n, name in ((1, "one"), (2, "two")):
            text = EXPERIMENT.format(n=n, marker=self.markers[n - 1], csv=self.csv, wait=wait)
            (tmp / f"{name}.yaml").write_text(text)
        (tmp / "plan.yaml").write_text(PLAN.format(pause=pause))
        self.journals = tmp / "journals"
        self.runs = tmp / "runs"
        self.args = ["--journal-dir", str(self.journals)]

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "chaosml", "gameday", str(self.tmp / "plan.yaml"), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            env={**os.environ, "CHAOSML_RUNS_DIR": str(self.runs)},
        )

    def journal(self, n: int) -> Path | None:
        found = sorted(self.journals.glob(f"*/0{n}-*.jsonl"))
        return found[0] if found else None

    def nothing_left(self) -> bool:
        return not any(m.exists() for m in self.markers) and self.csv.read_text() == CSV


def test_a_game_day_killed_during_an_experiment(
    tmp_path: Path, runners: list[subprocess.Popen[str]]
) -> None:
    drill = Drill(tmp_path, wait="30s", pause="0s")
    proc = drill.start()
    runners.append(proc)
    poll(lambda: drill.markers[0].exists(), "the first experiment's fault")
    killed = kill_group(proc)
    took = poll(drill.nothing_left, "the watchdog's rollback", 32) - killed
    assert took < 5.0
    first = drill.journal(1)
    assert first is not None
    check_journal(first)
    end = of(first, "run.end")[0]
    assert end["ended_by"] == "watchdog" and end["status"] == "interrupted"
    assert drill.journal(2) is None  # the drill never went on
    assert not list(drill.runs.glob("*.json"))  # chaosml reap would find nothing


def test_a_game_day_killed_between_two_experiments(
    tmp_path: Path, runners: list[subprocess.Popen[str]]
) -> None:
    drill = Drill(tmp_path, wait="0s", pause="30s")
    proc = drill.start()
    runners.append(proc)
    poll(lambda: (j := drill.journal(1)) is not None and bool(of(j, "run.end")), "experiment 1")
    poll(lambda: not list(drill.runs.glob("*.json")), "experiment 1 to let its watchdog go")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert drill.nothing_left()
    first = drill.journal(1)
    assert first is not None
    check_journal(first)
    assert of(first, "run.end")[0]["ended_by"] == "completed"
    assert drill.journal(2) is None
    reaped = subprocess.run(
        [sys.executable, "-m", "chaosml", "reap"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CHAOSML_RUNS_DIR": str(drill.runs)},
    )
    assert reaped.returncode == 0 and "nothing to reap" in reaped.stdout
