"""The runner's side of the watchdog: one journal observer per run.

On the run's first ``fault.undo_registered`` or ``command.started`` (so before its first fault
is applied, and before a command it starts can act), it records the run in the host's index
(``runs``), starts the watchdog process and journals ``watchdog.started`` — or
``watchdog.off`` when the run was started with ``--no-watchdog``, or ``watchdog.failed`` when
the process could not start (the run goes on: the watchdog is a safety net, not a gate). It
renews the leases of the run's toxics while they are in place. On ``run.end`` (on disk by
then) it releases the watchdog, which exits, and forgets the run.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.io import procfs
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import (
    FaultReverted,
    FaultUndoRegistered,
    RunEnded,
    WatchdogFailed,
    WatchdogOff,
    WatchdogStarted,
)
from chaosml.journal.writer import JournalWriter
from chaosml.watchdog import runs
from chaosml.watchdog.renewer import LeaseRenewer, leased_toxics
from chaosml.watchdog.spawn import WatchdogError, WatchdogProcess, start_watchdog
from chaosml.watchdog.watch import Watch

TRIGGERS = frozenset({"fault.undo_registered", "command.started"})


@dataclass
class RunGuard:
    journal: JournalWriter
    enabled: bool = True
    undo_timeout: float = 30.0
    undo_attempts: int = 3
    armed: bool = False
    watchdog: WatchdogProcess | None = None
    renewer: LeaseRenewer = field(default_factory=LeaseRenewer)

    def __call__(self, event: JournalEvent) -> None:
        if event.run_id != self.journal.run_id:
            return
        if event.event in TRIGGERS and not self.armed:
            self.arm()
        if isinstance(event, FaultUndoRegistered):
            self._track(event)
        elif isinstance(event, FaultReverted) and event.ok:
            self.renewer.drop(event.undo_id)
        elif isinstance(event, RunEnded):
            self.disarm(event)

    def arm(self) -> None:
        self.armed = True
        entry = runs.RunEntry(
            self.journal.run_id,
            str(Path(self.journal.path).resolve()),
            os.getpid(),
            procfs.start_time(os.getpid()),
            os.uname().nodename,
        )
        _index(entry)
        if not self.enabled:
            self.journal.write(WatchdogOff(reason="--no-watchdog"))
            return
        try:
            self.watchdog = start_watchdog(self._watch(entry))
        except (WatchdogError, OSError) as exc:
            self.journal.write(WatchdogFailed(error=str(exc)))
            return
        _index(self._with_watchdog(entry, self.watchdog))
        self.journal.write(
            WatchdogStarted(
                pid=self.watchdog.pid,
                pid_start=self.watchdog.start_time,
                ready_s=round(self.watchdog.ready_s, 4),
            )
        )

    def _watch(self, entry: runs.RunEntry) -> Watch:
        return Watch(
            Path(entry.journal),
            entry.run_id,
            entry.pid,
            entry.pid_start,
            self.undo_timeout,
            self.undo_attempts,
        )

    @staticmethod
    def _with_watchdog(entry: runs.RunEntry, watchdog: WatchdogProcess) -> runs.RunEntry:
        fields = {**entry.__dict__, "watchdog_pid": watchdog.pid}
        return runs.RunEntry(**{**fields, "watchdog_start": watchdog.start_time})

    def _track(self, event: FaultUndoRegistered) -> None:
        toxics = leased_toxics(event.undo.model_dump())
        if toxics is not None:
            self.renewer.track(event.undo_id, toxics)

    def disarm(self, event: RunEnded) -> None:
        kept = {str(p.get("undo_id")) for p in event.pending_undos if p}
        self.renewer.stop(keep=kept)
        if self.watchdog is not None:
            self.watchdog.release()
        if self.armed:
            runs.forget(self.journal.run_id)


def _index(entry: runs.RunEntry) -> None:
    """List the run for ``chaosml reap``; an index that cannot be written stops nothing."""
    with contextlib.suppress(OSError):
        runs.record(entry)


def guard_run(journal: JournalWriter, options: Any) -> RunGuard:
    """Watch this run (``options``: the run's ``RunOptions``); add it to the journal's observers."""
    guard = RunGuard(
        journal,
        enabled=getattr(options, "watchdog", True),
        undo_timeout=options.undo_timeout,
        undo_attempts=options.undo_attempts,
    )
    journal.observers.insert(0, guard)  # before the console: the watchdog is up first
    return guard
