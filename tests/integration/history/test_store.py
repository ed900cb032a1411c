"""The history store on SQLite and PostgreSQL: versioned schema, concurrent runs, the recording
hook of ``chaosml run`` (a failure is a warning, never another exit code)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaosml.errors import InputError
from chaosml.history.backends import open_database
from chaosml.history.journals import read_history
from chaosml.history.location import parse
from chaosml.history.migrations import LATEST, VERSION_TABLE, migrate
from chaosml.history.store import HistoryStore
from chaosml.io.ports import free_port
from tests.fixtures.history_journals import T0, write_run, write_trend
from tests.integration.history.conftest import Chaosml, cli_env

CHAOSML_RUN = [sys.executable, "-m", "chaosml", "run", "--env", "test", "--no-watchdog"]
TRIVIAL = """
version: 1
title: A drill that only waits
blast_radius: {environments: [test]}
method:
  - wait: 10ms
"""


def test_an_older_schema_is_migrated_forward_keeping_its_runs(
    history_url: str, tmp_path: Path
) -> None:
    db = open_database(parse(history_url))
    assert migrate(db, upto=1) == 1  # a store written by the first schema
    [journal] = write_trend(tmp_path / "j", [1.5])
    contents = read_history(journal)
    with db.transaction(write=True) as session:  # the run, as version 1 stored it
        session.execute(
            "INSERT INTO chaosml_runs VALUES (?, ?, 'run', 'completed', 0, ?, 1.0, '[]', '', '', 0)",
            ("old-run", "Old drill", T0),
        )
    store = HistoryStore.open(history_url)  # migrates to the latest
    with db.transaction() as session:
        assert session.execute(f"SELECT version FROM {VERSION_TABLE}") == [(LATEST,)]
    store.record(contents)
    assert [r.run_id for r in store.runs()] == ["old-run", "run-00"]
    assert store.searches() == []  # the table version 2 added


def test_a_newer_schema_is_refused_with_a_clear_message(chaosml: Chaosml, history_url: str) -> None:
    HistoryStore.open(history_url)
    db = open_database(parse(history_url))
    with db.transaction(write=True) as session:
        session.execute(f"UPDATE {VERSION_TABLE} SET version = ?", (LATEST + 1,))
    with pytest.raises(InputError, match=f"schema version {LATEST + 1}, newer than"):
        HistoryStore.open(history_url)
    shown = chaosml("history")
    assert shown.returncode == 2
    assert f"has schema version {LATEST + 1}, newer than this chaosml knows" in shown.stderr
    assert "upgrade chaosml" in shown.stderr and "Traceback" not in shown.stderr


def test_twenty_concurrent_runs_are_all_recorded(history_url: str, tmp_path: Path) -> None:
    env = cli_env(history_url, tmp_path)
    experiments = [tmp_path / f"wait-{i}.yaml" for i in range(20)]
    for i, path in enumerate(experiments):  # one drill each: the same one would lock the others
        path.write_text(TRIVIAL.replace("only waits", f"only waits number {i}"))
    procs = [
        subprocess.Popen(
            [*CHAOSML_RUN, str(experiments[i]), "--journal", str(tmp_path / f"run-{i}.jsonl")],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(20)
    ]
    results = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, results
    assert not [err for _, err in results if "warning" in err]
    run_ids = {json.loads(f.read_text().splitlines()[0])["run_id"] for f in tmp_path.glob("run-*")}
    stored = HistoryStore.open(history_url).runs()
    assert {r.run_id for r in stored} == run_ids and len(stored) == 20
    assert {r.title for r in stored} == {f"A drill that only waits number {i}" for i in range(20)}


def test_no_history_records_nothing(chaosml: Chaosml, history_url: str, tmp_path: Path) -> None:
    (tmp_path / "wait.yaml").write_text(TRIVIAL)
    args = ("run", "wait.yaml", "--env", "test", "--no-watchdog")
    assert chaosml(*args, "--no-history").returncode == 0
    assert chaosml(*args, env={"CHAOSML_HISTORY": "off"}).returncode == 0
    assert HistoryStore.open(history_url).runs() == []
    assert chaosml(*args).returncode == 0
    assert len(HistoryStore.open(history_url).runs()) == 1


def test_identical_results_on_sqlite_and_postgresql(postgres_url: str, tmp_path: Path) -> None:
    journals = write_trend(tmp_path / "j", [1.0, 1.25, None, 0.75, 3.5])
    journals.append(write_run(tmp_path / "j" / "c.jsonl", "cells", at=T0, cells={"A": "benign"}))
    sqlite = HistoryStore.open(f"sqlite:///{tmp_path / 'h.db'}")
    postgres = HistoryStore.open(postgres_url)
    for store in (sqlite, postgres):
        for journal in journals:
            store.record(read_history(journal))
    assert sqlite.runs() == postgres.runs()
    assert len(sqlite.runs()) == 6


def test_an_unreachable_history_is_a_warning_not_another_exit_code(
    chaosml: Chaosml, tmp_path: Path
) -> None:
    (tmp_path / "wait.yaml").write_text(TRIVIAL)
    nowhere = f"postgresql://chaosml:hunter2@127.0.0.1:{free_port()}/history"
    result = chaosml("run", "wait.yaml", "--env", "test", "--no-watchdog", "--history", nowhere)
    assert result.returncode == 0, result.stderr
    assert "chaosml: warning: not recorded in the drill history: PostgreSQL at" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_the_default_store_is_in_the_users_data_directory(chaosml: Chaosml, tmp_path: Path) -> None:
    (tmp_path / "wait.yaml").write_text(TRIVIAL)
    env = {"CHAOSML_HISTORY_URL": "", "XDG_DATA_HOME": str(tmp_path / "data")}
    assert chaosml("run", "wait.yaml", "--env", "test", "--no-watchdog", env=env).returncode == 0
    default = tmp_path / "data" / "chaosml" / "history.db"
    assert [r.title for r in HistoryStore.open(f"sqlite:///{default}").runs()] == [
        "A drill that only waits"
    ]


def test_a_game_day_is_recorded_with_its_experiments(
    chaosml: Chaosml, history_url: str, tmp_path: Path
) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text(TRIVIAL.replace("only waits", f"waits ({name})"))
    (tmp_path / "plan.yaml").write_text(
        "version: 1\ntitle: Weekly drill\nenvironments: [test]\n"
        "experiments:\n  - path: one.yaml\n  - path: two.yaml\n"
    )
    result = chaosml("gameday", "plan.yaml", "--env", "test", "--no-watchdog")
    assert result.returncode == 0, result.stdout + result.stderr
    runs = HistoryStore.open(history_url).runs()
    [drill] = [r for r in runs if r.kind == "gameday"]
    assert drill.title == "Weekly drill" and drill.exit_code == 0
    members = sorted(r.title for r in runs if r.kind == "run" and r.drill_id == drill.run_id)
    assert members == ["A drill that waits (one)", "A drill that waits (two)"]
    shown = chaosml("history")
    assert "3 run(s), 1 game day(s)" in shown.stdout
