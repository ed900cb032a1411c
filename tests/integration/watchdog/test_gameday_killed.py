"""A game day SIGKILLed during an experiment and between two: nothing is left in place, and the
drill's record (<journal dir>/<drill id>.jsonl) and journals say how it ended."""

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

    def record_end(self) -> dict[str, object]:
        """The drill's own record: how the drill ended."""
        records = list(self.journals.glob("gameday-*.jsonl"))
        assert len(records) == 1
        poll(lambda: bool(of(records[0], "run.end")), "the drill's record to be closed", 10)
        return of(records[0], "run.end")[0]

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
    drill_end = drill.record_end()
    assert drill_end["ended_by"] == "watchdog" and "died" in str(drill_end["reason"])
    poll(lambda: not list(drill.runs.glob("*.json")), "the watchdogs to close their runs", 10)


def test_a_game_day_killed_between_two_experiments(
    tmp_path: Path, runners: list[subprocess.Popen[str]]
) -> None:
    drill = Drill(tmp_path, wait="0s", pause="30s")
    proc = drill.start()
    runners.append(proc)
    poll(lambda: (j := drill.journal(1)) is not None and bool(of(j, "run.end")), "experiment 1")
    first_run = of(drill.journal(1) or Path(), "run.start")[0]["run_id"]
    poll(lambda: not (drill.runs / f"{first_run}.json").exists(), "experiment 1 to end for good")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert drill.nothing_left()
    first = drill.journal(1)
    assert first is not None
    check_journal(first)
    assert of(first, "run.end")[0]["ended_by"] == "completed"
    assert drill.journal(2) is None
    drill_end = drill.record_end()
    assert drill_end["ended_by"] == "watchdog" and drill_end["status"] == "interrupted"
    reaped = subprocess.run(
        [sys.executable, "-m", "chaosml", "reap"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CHAOSML_RUNS_DIR": str(drill.runs)},
    )
    assert reaped.returncode == 0 and "nothing to reap" in reaped.stdout


def test_a_game_day_that_runs_to_the_end_records_it(tmp_path: Path) -> None:
    drill = Drill(tmp_path, wait="0s", pause="0s")
    proc = drill.start()
    assert proc.wait(timeout=120) == 0
    drill_end = drill.record_end()
    assert drill_end["ended_by"] == "completed" and drill_end["status"] == "completed"
    assert drill.nothing_left()
    assert not list(drill.journals.glob("**/*.watchdog.log"))  # no empty logs left behind


def test_a_game_day_without_watchdogs_says_so(tmp_path: Path) -> None:
    drill = Drill(tmp_path, wait="0s", pause="0s")
    drill.args.append("--no-watchdog")
    assert drill.start().wait(timeout=120) == 0
    for n in (1, 2):
        journal = drill.journal(n)
        assert journal is not None and of(journal, "watchdog.off")
        assert not of(journal, "watchdog.started")
    (record,) = drill.journals.glob("gameday-*.jsonl")
    assert of(record, "watchdog.off") and not of(record, "watchdog.started")
