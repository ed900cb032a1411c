"""The target lock, with real processes for the liveness checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chaosml.engine import lock
from chaosml.errors import RefusedError

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from chaosml.engine import lock
    held = lock.acquire(sys.argv[2:], "run-child", "child drill", Path(sys.argv[1]))
    print("locked", flush=True)
    time.sleep(60)
    """
)


def _holder_process(lock_dir: Path, *keys: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_dir), *keys], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def child(tmp_path: Path):  # type: ignore[no-untyped-def]
    procs: list[subprocess.Popen[str]] = []

    def start(*keys: str) -> subprocess.Popen[str]:
        procs.append(_holder_process(tmp_path, *keys))
        return procs[-1]

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_live_holder_refuses_and_is_named(tmp_path: Path, child) -> None:  # type: ignore[no-untyped-def]
    proc = child("target:a")
    with pytest.raises(lock.TargetLockedError) as caught:
        lock.acquire(["target:a"], "run-me", "me", tmp_path)
    assert isinstance(caught.value, RefusedError)  # exit 2
    assert f"run run-child ('child drill', pid {proc.pid}" in caught.value.message


def test_disjoint_targets_do_not_conflict(tmp_path: Path, child) -> None:  # type: ignore[no-untyped-def]
    child("target:a")
    with lock.acquire(["target:b"], "run-me", "me", tmp_path) as held:
        assert len(held.held) == 1


def test_a_killed_holder_is_stale_and_replaced(tmp_path: Path, child) -> None:  # type: ignore[no-untyped-def]
    proc = child("target:a", "target:b")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with lock.acquire(["target:b"], "run-me", "me", tmp_path) as held:
        (path,) = held.held
        assert json.loads(path.read_text())["run_id"] == "run-me"


def test_a_reused_pid_is_stale(tmp_path: Path) -> None:
    first = lock.acquire(["target:a"], "run-old", "old", tmp_path)
    (path,) = first.held
    record = json.loads(path.read_text())
    record["pid"] = os.getppid()
    record["pid_start"] = "not-the-start-time"
    path.write_text(json.dumps(record))
    with lock.acquire(["target:a"], "run-new", "new", tmp_path):
        assert json.loads(path.read_text())["run_id"] == "run-new"


def test_all_or_nothing(tmp_path: Path, child) -> None:  # type: ignore[no-untyped-def]
    child("target:b")
    with pytest.raises(lock.TargetLockedError):
        lock.acquire(["target:a", "target:b"], "run-me", "me", tmp_path)
    assert [p.name for p in tmp_path.glob("*.json")] == [lock._file_name("target:b")]


def test_release_frees_the_targets(tmp_path: Path) -> None:
    lock.acquire(["target:a"], "run-1", "one", tmp_path).release()
    with lock.acquire(["target:a"], "run-2", "two", tmp_path):
        pass
    assert list(tmp_path.glob("*.json")) == []


def test_reentrant_in_the_holding_process(tmp_path: Path) -> None:
    with lock.acquire(["target:a"], "drill-1", "drill", tmp_path) as outer:
        inner = lock.acquire(["target:a"], "run-1", "experiment", tmp_path)
        inner.release()  # the drill still holds it
        assert outer.held[0].exists()
    assert not outer.held


def test_lock_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(lock.LOCK_DIR_ENV, str(tmp_path / "locks"))
    with lock.acquire(["k"], "r", "w"):
        assert len(list((tmp_path / "locks").glob("*.json"))) == 1


def test_target_keys_ignore_counts_but_not_selectors() -> None:
    def exp(name: str, selector: str, count: int) -> dict[str, object]:
        spec = {"kind": "docker", "selector": {"name": selector}, "count": count}
        return {"blast_radius": {"targets": {name: spec}}}

    a, b, c = exp("m", "x", 1), exp("n", "x", 2), exp("m", "y", 1)
    assert lock.target_keys(a, "/a.yaml") == lock.target_keys(b, "/b.yaml")
    assert lock.target_keys(a, "/a.yaml") != lock.target_keys(c, "/a.yaml")
    assert lock.target_keys({}, "/a.yaml") == ["experiment:/a.yaml"]
    assert lock.target_keys({}, "a.yaml") == [f"experiment:{Path('a.yaml').resolve()}"]


def test_racing_processes_exactly_one_wins(tmp_path: Path) -> None:
    race = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from chaosml.engine import lock
        print("ready", flush=True)
        sys.stdin.readline()  # the starting gun: every racer is ready
        try:
            lock.acquire(["target:x"], sys.argv[2], "racer", Path(sys.argv[1]))
            print("won", flush=True)
            sys.stdin.readline()  # hold the lock until the test has every answer
        except lock.TargetLockedError:
            print("lost", flush=True)
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", race, str(tmp_path), f"r{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    try:
        assert [p.stdout.readline().strip() if p.stdout else "" for p in procs] == ["ready"] * 6
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = sorted((p.stdout.readline().strip() if p.stdout else "") for p in procs)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert results == ["lost"] * 5 + ["won"]
