"""``chaosml history import DIR``: every journal under a directory (``*.jsonl``, recursively)
into the history. Importing twice keeps one copy of each run. A journal that cannot be read is
reported with its file and line, and the others are imported all the same.

A game day's experiments sit in ``<dir>/<drill id>/`` beside the drill's own record
``<dir>/<drill id>.jsonl``; they are imported under that drill id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chaosml.errors import InputError
from chaosml.history.journals import read_history
from chaosml.history.records import RUN, Recorded
from chaosml.history.store import HistoryStore


@dataclass
class ImportResult:
    recorded: Recorded = field(default_factory=Recorded)
    journals: int = 0
    problems: list[str] = field(default_factory=list)


def journal_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such directory or journal file")
    return sorted(root.rglob("*.jsonl"))


def import_journals(root: Path, store: HistoryStore) -> ImportResult:
    result = ImportResult()
    files = journal_files(root)
    drill_ids = {p.stem for p in files if (p.parent / p.stem).is_dir()}
    for path in files:
        drill_id = path.parent.name if path.parent.name in drill_ids else ""
        try:
            contents = read_history(path, RUN, drill_id)
        except InputError as exc:
            result.problems.append(exc.message)
            continue
        result.recorded.merge(store.record(contents))
        result.journals += 1
    return result
