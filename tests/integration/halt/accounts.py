"""Accounts (a HOME each, optionally a real other OS user) running chaosml in processes of
their own, and a paused-process fault whose undo the tests check.

Nothing is shared between two accounts but what the test names: the machine-wide halt
directory (the same host) or a halt URL (another machine)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chaosml.io import procfs
from tests.integration.core.interrupts import events

DROPPED = ("CHAOSML_HALT_FILE", "CHAOSML_LOCK_DIR", "CHAOSML_RUNS_DIR", "XDG_STATE_HOME")
DROPPED += ("CHAOSML_CONFIG", "CHAOSML_HALT_URL", "XDG_CACHE_HOME")

PAUSE_EXPERIMENT = """
version: 1
title: pause a process ({name})
method:
  - fault: process.run
    name: pause the victim
    command: [kill, -STOP, "{pid}"]
    undo: [kill, -CONT, "{pid}"]
  - wait: 60s
"""
QUICK_EXPERIMENT = "version: 1\ntitle: quick ({name})\nmethod:\n  - wait: 0s\n"


@dataclass
class Account:
    home: Path
    env: dict[str, str] = field(default_factory=dict)  # on top of the test's environment
    user: str | None = None  # run as this OS user (runuser), else as the test runs

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / "chaosml.toml"  # the account's own (empty) config
        config.touch()
        if self.user is not None:
            import shutil

            shutil.chown(self.home, user=self.user)
            shutil.chown(config, user=self.user)

    def environ(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in DROPPED}
        base.update(
            HOME=str(self.home), NO_COLOR="1", CHAOSML_CONFIG=str(self.home / "chaosml.toml")
        )
        return {**base, **self.env}

    def command(self, *args: str) -> list[str]:
        line = [sys.executable, "-m", "chaosml", *args]
        if self.user is None:
            return line
        keep = ",".join(self.environ())
        return ["runuser", "-u", self.user, f"--whitelist-environment={keep}", "--", *line]

    def chaosml(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.environ(),
            cwd=self.home,
        )

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environ(),
            cwd=self.home,
        )

    def quick_run(self) -> subprocess.CompletedProcess[str]:
        exp = self.home / "quick.yaml"
        exp.write_text(QUICK_EXPERIMENT.format(name=self.home.name))
        return self.chaosml("run", str(exp), "--journal-dir", str(self.home / "journals"))


def process_state(pid: int) -> str:
    """``T`` for a stopped (paused) process, ``S``/``R`` for a running one."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def becomes_stopped(pid: int, within: float = 5.0) -> bool:
    """Whether ``pid`` is stopped (``T``) within ``within`` seconds: SIGSTOP takes effect when the
    process is next scheduled, so on a loaded machine it can still read ``R`` just after the
    fault was applied (SIGCONT, by contrast, acts at once: ``!= "T"`` needs no wait)."""
    return procfs.wait_until(lambda: process_state(pid) == "T", within, interval=0.02)


@contextlib.contextmanager
def victim() -> Iterator[int]:
    """A process for the fault to pause; resumed and killed at the end, whatever happened."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        yield proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def paused_run(
    account: Account, pid: int, *extra: str
) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """``account`` runs the pause experiment; yields once the fault is applied (the victim is
    paused). The run is killed at the end if it is still going."""
    exp = account.home / "pause.yaml"
    exp.write_text(PAUSE_EXPERIMENT.format(name=account.home.name, pid=pid))
    journal = account.home / "journal.jsonl"
    proc = account.spawn("run", str(exp), "--journal", str(journal), *extra)
    try:
        deadline = time.monotonic() + 60
        while not any(e["event"] == "fault.applied" for e in events(journal)):
            if proc.poll() is not None or time.monotonic() > deadline:
                out, err = proc.communicate()
                raise AssertionError(f"the fault was never applied:\n{out}\n{err}")
            time.sleep(0.05)
        yield proc, journal
    finally:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(ValueError):  # the test read its output already
            proc.communicate()


def seconds_to_exit(proc: subprocess.Popen[str], since: float, limit: float = 30) -> float:
    """Wait for ``proc`` to end; seconds from ``since`` (time.monotonic) to its end."""
    while proc.poll() is None:
        assert time.monotonic() - since < limit, "the run did not stop"
        time.sleep(0.01)
    return time.monotonic() - since


def stop_events(journal: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The run's ``halt.active`` and ``run.end`` events."""
    found = events(journal)
    active = [e for e in found if e["event"] == "halt.active"]
    end = [e for e in found if e["event"] == "run.end"]
    assert active and end, [e["event"] for e in found]
    return active[0], end[-1]
