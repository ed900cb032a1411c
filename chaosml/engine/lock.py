"""The target lock: two runs or drills never act on the same targets at once.

A lock is one JSON file per key in the lock directory (``CHAOSML_LOCK_DIR``, default
``~/.cache/chaosml/locks``) naming its holder: run id, pid, the pid's start time, host, what
runs. Taking a key is a read-check-write done under ``flock`` on a sidecar file, so two
processes racing for a key cannot both win. A holder is *stale* when it is on this host and its
process is gone (or the pid now belongs to another process: the start time differs); a stale
holder is replaced. A live holder makes ``acquire`` raise ``TargetLockedError`` (exit 2) naming
it. A process that already holds a key may take it again (a drill's experiments run inside the
drill's lock); only the outermost holder releases it.

Keys are strings; ``target_keys()`` derives them from an experiment's blast radius.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chaosml import redaction
from chaosml.errors import RefusedError
from chaosml.io import procfs

LOCK_DIR_ENV = "CHAOSML_LOCK_DIR"


class TargetLockedError(RefusedError):
    """Another live run or drill holds one of the targets (exit 2)."""


@dataclass(frozen=True)
class Holder:
    run_id: str
    pid: int
    pid_start: str  # the process's start time from /proc, "" where unknown
    host: str
    what: str  # the experiment or drill title
    key: str
    since: float

    def describe(self) -> str:
        started = time.strftime("%H:%M:%S UTC", time.gmtime(self.since))
        return f"run {self.run_id} ({self.what!r}, pid {self.pid} on {self.host}, since {started})"


def default_lock_dir() -> Path:
    configured = os.environ.get(LOCK_DIR_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "chaosml" / "locks"


def is_alive(holder: Holder) -> bool:
    """Whether the holder's process still runs; holders on other hosts count as alive."""
    if holder.host != socket.gethostname():
        return True
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not holder.pid_start or procfs.start_time(holder.pid) == holder.pid_start


def target_keys(experiment: Mapping[str, Any], fallback: str) -> list[str]:
    """Lock keys of an experiment: one per blast-radius target selector (canonical JSON), one
    per local thing a step touches (``local_keys``), or ``fallback`` (the experiment file's
    absolute path) when it names neither."""
    targets = (experiment.get("blast_radius") or {}).get("targets") or {}
    keys = [_selector_key(spec) for spec in targets.values()] + local_keys(experiment)
    return sorted(set(keys)) or [f"experiment:{Path(fallback).resolve()}"]


LOCAL_KEYS = ("pid_file", "pattern", "file")  # a pid file, a command-line pattern, a feed file


def local_keys(experiment: Mapping[str, Any]) -> list[str]:
    """What the method's and rollbacks' steps touch on this host, as lock keys: pid files and
    feed files by absolute path, kill patterns as written, proxies by API and name."""
    steps = [*(experiment.get("method") or []), *(experiment.get("rollbacks") or [])]
    keys: list[str] = []
    for step in (s for s in steps if isinstance(s, Mapping)):
        for field in LOCAL_KEYS:
            value = step.get(field)
            if isinstance(value, str) and value:
                shown = value if field == "pattern" else str(Path(value).resolve())
                keys.append(f"{field}:{shown}")
        proxy = step.get("proxy")
        if isinstance(proxy, Mapping) and proxy.get("name"):
            keys.append(f"proxy:{proxy.get('api') or 'default'}/{proxy['name']}")
    return keys


def _selector_key(spec: Any) -> str:
    if isinstance(spec, Mapping):
        spec = {k: v for k, v in spec.items() if k not in {"count", "max_percent", "min_matches"}}
    return "target:" + json.dumps(spec, sort_keys=True, default=str)


class TargetLock:
    """The held keys of one run or drill; release with ``release()`` or use as a context."""

    def __init__(self, directory: Path, held: list[Path], run_id: str) -> None:
        self.directory = directory
        self.held = held
        self.run_id = run_id

    def release(self) -> None:
        for path in reversed(self.held):
            with _guard(path):
                holder = _read(path)
                if holder is not None and holder.run_id == self.run_id:
                    path.unlink(missing_ok=True)
        self.held = []

    def __enter__(self) -> TargetLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(
    keys: Sequence[str], run_id: str, what: str, directory: Path | None = None
) -> TargetLock:
    """Take every key or none; TargetLockedError names a live holder of any of them."""
    lock_dir = directory or default_lock_dir()
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = TargetLock(lock_dir, [], run_id)
    try:
        for key in sorted(set(keys)):
            if _take(lock_dir / _file_name(key), key, run_id, what):
                lock.held.append(lock_dir / _file_name(key))
    except BaseException:
        lock.release()
        raise
    return lock


def _file_name(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".json"


def _take(path: Path, key: str, run_id: str, what: str) -> bool:
    """True when this call wrote the holder record (False: this process already holds it)."""
    with _guard(path):
        holder = _read(path)
        if holder is not None and is_alive(holder):
            if holder.pid == os.getpid() and holder.host == socket.gethostname():
                return False
            raise TargetLockedError(
                f"targets are locked by {holder.describe()}",
                hint=f"wait for it to finish; if it is gone for good, remove {path}",
            )
        _write(path, _me(key, run_id, what))
        return True


def _me(key: str, run_id: str, what: str) -> Holder:
    pid = os.getpid()
    return Holder(run_id, pid, procfs.start_time(pid), socket.gethostname(), what, key, time.time())


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[None]:
    """An exclusive flock on ``<lock>.guard`` around a read-check-write of one key."""
    with open(path.with_suffix(".guard"), "a+") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(guard, fcntl.LOCK_UN)


def _read(path: Path) -> Holder | None:
    try:
        raw = json.loads(path.read_text())
        return Holder(**raw)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        return None  # a torn or foreign file: treat as free, it will be overwritten


def _write(path: Path, holder: Holder) -> None:
    """The holder record, secrets masked, readable by its owner only (0600)."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        record = asdict(holder)
        record.update(what=redaction.scrub(holder.what), key=redaction.scrub(holder.key))
        out.write(json.dumps(record))
    os.replace(tmp, path)
