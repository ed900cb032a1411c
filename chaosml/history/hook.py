"""What ``chaosml run``, ``chaosml gameday`` and ``chaosml sensitivity`` call at their end: the
journals they wrote go into the history store. A history that cannot be written (a full disk,
an unreachable server, a store written by a newer chaosml) is a warning on stderr and never
changes the command's exit code. ``--no-history`` or ``CHAOSML_HISTORY=off`` turn it off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from chaosml import redaction
from chaosml.errors import ChaosMLError
from chaosml.history.journals import JournalContents, read_history
from chaosml.history.location import SWITCH_VAR, URL_VAR, recording_enabled
from chaosml.history.records import GAMEDAY, RUN
from chaosml.history.store import HistoryStore


def apply_options(history: str | None, no_history: bool) -> None:
    """``--history URL`` and ``--no-history`` of a command, as the environment says them (so
    that everything the command starts sees the same store)."""
    if history:
        os.environ[URL_VAR] = history
    if no_history:
        os.environ[SWITCH_VAR] = "off"


def record_journal(path: Path | None, kind: str = RUN, err: TextIO | None = None) -> None:
    """Record the runs (or the sensitivity search) of one journal; warn if that fails."""
    if path is not None:
        record_journals([(path, kind, "")], err)


def record_drill(drill_record: Path, experiments: Iterable[Path | None], drill_id: str) -> None:
    """Record a game day: its own record and each experiment's journal (under its drill id)."""
    items = [(drill_record, GAMEDAY, drill_id)]
    items += [(p, RUN, drill_id) for p in experiments if p is not None]
    record_journals(items)


def record_journals(items: list[tuple[Path, str, str]], err: TextIO | None = None) -> None:
    if not recording_enabled() or not items:
        return
    try:
        contents = JournalContents()
        for path, kind, drill_id in items:
            if path.exists():
                found = read_history(path, kind, drill_id)
                contents.runs += found.runs
                contents.searches += found.searches
        HistoryStore.open().record(contents)
    except Exception as exc:  # the history never changes a run's outcome
        _warn(exc, err or sys.stderr)


def _warn(exc: Exception, err: TextIO) -> None:
    reason = exc.message if isinstance(exc, ChaosMLError) else f"{type(exc).__name__}: {exc}"
    err.write(
        f"chaosml: warning: not recorded in the drill history: {redaction.scrub(reason)} "
        f"(set {URL_VAR}, or --no-history to skip it)\n"
    )
    err.flush()
