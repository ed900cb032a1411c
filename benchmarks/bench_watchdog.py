"""What the watchdog costs a run, and how fast it acts when the runner dies.

    python benchmarks/bench_watchdog.py [--runs 15]

1. Added run latency: the same one-fault experiment (a process.run marker) run in-process,
   in turns with and without the watchdog (``--no-watchdog``); medians of the whole run, and
   the journal's own ``ready_s`` (how long the run waited for the watchdog before its fault).
2. Time to undo after a SIGKILL: ``chaosml run`` killed once its fault is in place; from the
   kill to the fault being gone (the watchdog's imports, lock, undo, journal).
Prints figures and the ratio with/without.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXPERIMENT = """
version: 1
title: watchdog bench
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - wait: {wait}
"""


def _one_run(tmp: Path, n: int, watchdog: bool) -> tuple[float, float | None]:
    from chaosml.engine.api import run_experiment
    from chaosml.engine.state import RunOptions
    from chaosml.loader import load_file

    exp = tmp / f"exp{n}.yaml"
    exp.write_text(EXPERIMENT.format(marker=tmp / f"m{n}", wait="0s"))
    journal = tmp / f"j{n}-{watchdog}.jsonl"
    options = RunOptions(journal_path=journal, watchdog=watchdog)
    began = time.perf_counter()
    outcome = run_experiment(load_file(exp), options)
    took = time.perf_counter() - began
    assert outcome.exit_code == 0, outcome.reason
    ready = [json.loads(line) for line in journal.read_text().splitlines()]
    started = [e["ready_s"] for e in ready if e["event"] == "watchdog.started"]
    return took, (started[0] if started else None)


def added_latency(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("CHAOSML_RUNS_DIR", str(Path(tmp) / "runs"))
        _one_run(Path(tmp), -1, True)  # warm up imports
        on, off, ready = [], [], []
        for n in range(runs):
            took, ready_s = _one_run(Path(tmp), n, True)
            on.append(took)
            ready.append(ready_s or 0.0)
            off.append(_one_run(Path(tmp), n + 1000, False)[0])
    print(f"run with watchdog:    median {statistics.median(on) * 1000:7.1f} ms")
    print(f"run without watchdog: median {statistics.median(off) * 1000:7.1f} ms")
    added = statistics.median(on) - statistics.median(off)
    print(
        f"added latency:        {added * 1000:7.1f} ms (ratio {statistics.median(on) / statistics.median(off):.2f})"
    )
    print(
        f"waited for 'ready':   median {statistics.median(ready) * 1000:7.1f} ms (journal ready_s)"
    )


def undo_after_kill(runs: int) -> None:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            marker, exp = Path(tmp) / f"k{n}", Path(tmp) / f"k{n}.yaml"
            exp.write_text(EXPERIMENT.format(marker=marker, wait="60s"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", f"{exp}.jsonl"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            while not marker.exists():
                time.sleep(0.01)
            os.killpg(proc.pid, signal.SIGKILL)
            killed = time.perf_counter()
            proc.wait()
            while marker.exists():
                time.sleep(0.005)
            times.append(time.perf_counter() - killed)
    print(
        f"kill -> fault undone: median {statistics.median(times) * 1000:7.1f} ms, max {max(times) * 1000:.1f} ms ({runs} kills)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    added_latency(args.runs)
    undo_after_kill(max(3, args.runs // 3))


if __name__ == "__main__":
    main()
