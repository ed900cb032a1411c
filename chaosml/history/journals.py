"""Journals read into history records: the runs a journal holds and the sensitivity searches
it summarises (``sensitivity.result`` events), with the ``alert.classified`` cells of each run.

Reading goes through the one journal reader (``chaosml.journal.reader``, typed events),
so a bad journal is an ``InputError`` naming the file and the line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chaosml.errors import InputError
from chaosml.history.records import (
    CELLS,
    GAMEDAY,
    RUN,
    AlertResult,
    Classification,
    RunRecord,
    SensitivityRecord,
)
from chaosml.journal.base import JournalEvent
from chaosml.journal.reader import Line, read_lines
from chaosml.journal.runs import split_runs
from chaosml.reporting.journal_reader import RunReport, summarize

TESTED_STATUSES = {"completed", "deviated"}  # runs whose method ran to its verdict
SENSITIVITY_EVENT = "sensitivity.result"
CLASSIFIED_EVENT = "alert.classified"


@dataclass
class JournalContents:
    runs: list[RunRecord] = field(default_factory=list)
    searches: list[SensitivityRecord] = field(default_factory=list)


def read_history(path: Path, kind: str = RUN, drill_id: str = "") -> JournalContents:
    """The runs and searches of one journal file; InputError (exit 2) for a bad one."""
    found = read_lines(path)
    if not found.lines:
        raise InputError(f"{path} is not a chaosml journal: it is empty")
    contents = JournalContents()
    for line in found.lines:
        if line.event.get("event") == SENSITIVITY_EVENT:
            contents.searches.append(sensitivity_record(path, line))
    for run in split_runs(_run_events(path, found.lines, bool(contents.searches))):
        contents.runs.append(run_record(run.events, str(path), kind, drill_id))
    if not contents.runs and not contents.searches:
        raise InputError(f"{path} holds no run and no sensitivity search")
    return contents


def _run_events(path: Path, lines: list[Line], search: bool) -> list[JournalEvent]:
    """The events from the first ``run.start`` on; before it, only a search's own events."""
    first = next((i for i, x in enumerate(lines) if x.event.get("event") == "run.start"), None)
    before = lines if first is None else lines[:first]
    stray = [x for x in before if x.event.get("event") != SENSITIVITY_EVENT]
    if stray and not search:
        raise InputError(f"{path}:{stray[0].number}: not a chaosml journal: no run.start before it")
    return [] if first is None else [x.event for x in lines[first:]]


def run_record(events: list[JournalEvent], source: str, kind: str, drill_id: str) -> RunRecord:
    """One run's events (run.start first) as a record."""
    report = summarize(events)
    if events[0].get("kind") == GAMEDAY:  # a game day's own record (watchdog/drill.py)
        kind, drill_id = GAMEDAY, report.run_id
    return RunRecord(
        run_id=report.run_id,
        title=report.title,
        status=report.status,
        exit_code=report.exit_code,
        started_at=report.started_wall or 0.0,
        duration_s=report.duration_s,
        kind=kind,
        tags=tuple(report.tags),
        drill_id=drill_id,
        source=source,
        alerts=alert_results(report),
        classifications=classifications(events),
    )


def alert_results(report: RunReport) -> tuple[AlertResult, ...]:
    """Each alert of the run: fired after its fault (``proven`` not false), tested or not."""
    ran = report.status in TESTED_STATUSES
    notified = _times_to_notify(report)
    return tuple(
        AlertResult(
            alert=a.name,
            fired=a.fired and a.proven is not False,
            tested=ran and a.tested,
            time_to_detect_s=a.time_to_detect_s if a.fired and a.proven is not False else None,
            time_to_notify_s=notified.get(a.name),
        )
        for a in report.alerts
    )


def _times_to_notify(report: RunReport) -> dict[str, float]:
    """Each alert's time to notify (the first notification that reached its receiver)."""
    found: dict[str, float] = {}
    for note in report.summary.get("notifications") or []:
        ttn = note.get("time_to_notify_s") if isinstance(note, dict) else None
        if note.get("notified") and isinstance(ttn, int | float):
            found.setdefault(str(note.get("alert")), float(ttn))
    return found


def classifications(events: list[JournalEvent]) -> tuple[Classification, ...]:
    cells: dict[str, str] = {}
    for event in events:
        if event.get("event") == CLASSIFIED_EVENT:
            alert, cell = event.get("alert"), event.get("cell")
            if isinstance(alert, str) and cell in CELLS:
                cells[alert] = str(cell)  # the last word on an alert counts
    return tuple(Classification(alert, cell) for alert, cell in cells.items())


def sensitivity_record(path: Path, line: Line) -> SensitivityRecord:
    e = line.event
    where = f"{path}:{line.number}"
    return SensitivityRecord(
        search_id=_text(e, "search_id", where, required=True),
        title=_text(e, "title", where) or _text(e, "experiment", where),
        alert=_text(e, "alert", where, required=True),
        param=_text(e, "param", where, required=True),
        scale=_text(e, "scale", where) or "linear",
        low_fires=_number(e, "low_fires", where),
        high_silent=_number(e, "high_silent", where),
        uncertainty=_number(e, "uncertainty", where),
        trials=int(_number(e, "trials", where) or 0),
        duration_s=_number(e, "duration_s", where) or 0.0,
        started_at=_number(e, "started_at", where) or _number(e, "wall", where) or 0.0,
        source=str(path),
    )


def _text(e: JournalEvent, key: str, where: str, required: bool = False) -> str:
    value = e.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise InputError(f"{where}: '{SENSITIVITY_EVENT}' field '{key}' should be a string")
    return value


def _number(e: JournalEvent, key: str, where: str) -> float | None:
    value = e.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: '{SENSITIVITY_EVENT}' field '{key}' should be a number")
    return float(value)
