"""A journal file's events split into its runs (``--append-journal`` puts several in one)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chaosml.journal.base import JournalEvent
from chaosml.journal.events import RunStarted


@dataclass
class Run:
    start: RunStarted
    events: list[JournalEvent] = field(default_factory=list)  # from its run.start, in order

    @property
    def run_id(self) -> str:
        return self.start.run_id or ""


def split_runs(events: list[JournalEvent]) -> list[Run]:
    """The events of each run (by ``run_id``; an event without one goes with the run started
    last), runs in the order of their ``run.start``."""
    runs: dict[str, Run] = {}
    current = ""
    for event in events:
        if isinstance(event, RunStarted):
            current = event.run_id if event.run_id is not None else str(len(runs))
            runs.setdefault(current, Run(event))
        key = event.run_id if event.run_id is not None else current
        if key in runs:
            runs[key].events.append(event)
    return list(runs.values())
