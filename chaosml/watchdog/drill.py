"""A game day's own record, ``<journal dir>/<drill id>.jsonl`` (beside the directory of its
experiments' journals, ``<journal dir>/<drill id>/``), guarded like a run.

It holds a ``run.start`` (the drill: its title, pid, start time), the drill's
``watchdog.started`` and a ``run.end`` saying how the drill ended: as the drill process ended
it (``ended_by: completed`` or why it stopped early), or — when that process was killed — as its
watchdog or ``chaosml reap`` closed it (``ended_by: watchdog``/``reap``). The drill's faults
are its experiments' (each has its own journal and watchdog); this record has none to undo.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chaosml import __version__
from chaosml.engine.outcome import EXIT_FOR_STATUS
from chaosml.errors import ChaosMLError, InputError
from chaosml.io import procfs
from chaosml.journal.events import RunEnded, RunStarted
from chaosml.journal.writer import JournalWriter
from chaosml.redaction import Redactor
from chaosml.watchdog.guard import RunGuard

STATUS_FOR_EXIT = {int(code): status.value for status, code in EXIT_FOR_STATUS.items()}


@dataclass
class DrillRecord:
    journal: JournalWriter
    began: float

    def ended(self, exit_code: int, stopped: str) -> None:
        self._end(
            STATUS_FOR_EXIT.get(exit_code, "failed"),
            exit_code,
            stopped or "the drill ran to the end",
            "stopped-early" if stopped else "completed",
        )

    def failed(self, exc: BaseException) -> None:
        refused = isinstance(exc, InputError)
        reason = exc.message if isinstance(exc, ChaosMLError) else f"{type(exc).__name__}: {exc}"
        self._end("refused" if refused else "failed", 2 if refused else 5, reason, "error")

    def _end(self, status: str, exit_code: int, reason: str, ended_by: str) -> None:
        self.journal.write(
            RunEnded(
                status=status,
                exit_code=exit_code,
                reason=reason,
                ended_by=ended_by,
                pending_undos=[],
                duration_s=round(time.monotonic() - self.began, 3),
                summary={},
            )
        )


@contextlib.contextmanager
def drill_record(
    journal_dir: Path, drill_id: str, title: str, watchdog: bool = True
) -> Iterator[DrillRecord]:
    """Record the drill in ``journal_dir/<drill_id>.jsonl``; a watchdog closes the record if the
    drill's process dies."""
    journal = JournalWriter(journal_dir / f"{drill_id}.jsonl", drill_id, Redactor([]))
    me = os.getpid()
    journal.write(
        RunStarted(
            version=__version__,
            title=title,
            kind="gameday",
            pid=me,
            pid_start=procfs.start_time(me),
            host=os.uname().nodename,
        )
    )
    guard = RunGuard(journal, enabled=watchdog)
    journal.observers.append(guard)
    guard.arm()
    record = DrillRecord(journal, time.monotonic())
    try:
        yield record
    except BaseException as exc:
        record.failed(exc)
        raise
    finally:
        journal.close()
