"""The watchdog's reading of the journal, and ``chaosml reap`` deciding what to leave alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

from chaosml.io import procfs
from chaosml.watchdog import runs
from chaosml.watchdog.reap import ReapOptions, reap
from chaosml.watchdog.watch import Watch, run_ended

RUN = "20261201T000000Z-abcdef"
HOST = os.uname().nodename


def _journal(path: Path, *events: dict[str, object]) -> Path:
    lines = [{"seq": n, "run_id": RUN, "mono": 0.0, "wall": 1.0, **e} for n, e in enumerate(events)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _pending(tmp: Path) -> Path:
    undo = {"kind": "process.run", "data": {"command": ["true"]}, "description": "run true"}
    return _journal(
        tmp / "j.jsonl",
        {"event": "run.start", "pid": 1, "pid_start": "0", "host": os.uname().nodename},
        {"event": "fault.undo_registered", "undo_id": f"{RUN}.u1", "undo": undo},
    )


def test_run_ended_reads_only_this_runs_end(tmp_path: Path) -> None:
    journal = _pending(tmp_path)
    assert not run_ended(journal, RUN)
    with journal.open("a") as handle:
        handle.write(json.dumps({"event": "run.end", "run_id": "other", "status": "completed"}))
        handle.write("\n")
    assert not run_ended(journal, RUN)
    with journal.open("a") as handle:
        handle.write(json.dumps({"event": "run.end", "run_id": RUN, "status": "completed"}) + "\n")
    assert run_ended(journal, RUN)


def test_the_watchdog_knows_its_runner_by_pid_and_start_time(tmp_path: Path) -> None:
    me = os.getpid()
    watch = Watch(tmp_path / "j", RUN, me, procfs.start_time(me), 30.0, 3)
    assert Watch.parse(watch.argv()) == watch and watch.runner_alive()
    assert not Watch(tmp_path / "j", RUN, me, "1", 30.0, 3).runner_alive()  # a reused pid


def test_reap_leaves_a_live_run_alone_and_dry_run_changes_nothing(tmp_path: Path) -> None:
    journal = _pending(tmp_path)
    me = os.getpid()
    runs.record(runs.RunEntry("live", str(journal), me, procfs.start_time(me), HOST), tmp_path)
    runs.record(runs.RunEntry(RUN, str(journal), 2**22 + 7, "1", HOST), tmp_path)
    report = reap(ReapOptions(dry_run=True, runs_dir=tmp_path))
    assert report.left == [f"run live: still running (pid {me})"]
    assert report.would == [f"run {RUN} ({journal}): undo {RUN}.u1 (run true)"]
    assert len(runs.entries(tmp_path)) == 2 and "fault.reverted" not in journal.read_text()


def test_reap_forgets_a_run_whose_journal_is_gone(tmp_path: Path) -> None:
    runs.record(runs.RunEntry(RUN, str(tmp_path / "gone.jsonl"), 2**22 + 7, "1", HOST), tmp_path)
    report = reap(ReapOptions(runs_dir=tmp_path))
    assert report.done == [f"run {RUN}: forgotten (nothing pending)"]
    assert runs.entries(tmp_path) == []


def test_reap_leaves_a_run_of_another_host_alone(tmp_path: Path) -> None:
    journal = _pending(tmp_path)
    runs.record(runs.RunEntry(RUN, str(journal), 2**22 + 7, "1", "elsewhere"), tmp_path)
    report = reap(ReapOptions(runs_dir=tmp_path))
    assert report.left == [f"run {RUN}: ran on host elsewhere; reap it there"]
    assert "fault.reverted" not in journal.read_text()
