"""JSON paths that pick feature fields, with wildcards over lists of records.

Supported: ``$.a.b``, ``$.features.*`` (every key of an object, or every item of a list),
``$.records[*].age``, ``$[0].x``, ``$['odd key']``. A plain name ``age`` means ``$.age``.
Each ``*`` that expands a *list* starts a new record: with ``$.records[*].age`` every item of
``records`` is one record; with ``$.features.*`` on an object all its keys belong to one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

WILDCARD = "*"
Step = str | int
RecordKey = tuple[Step, ...]

_TOKEN = re.compile(r"\.(\*|[A-Za-z_][\w\-]*)|\[(\*|-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


@dataclass(frozen=True)
class Slot:
    """One matched value: where it lives, the record it belongs to, the path that found it."""

    container: Any  # dict or list
    key: Step
    record: RecordKey
    template: str

    @property
    def value(self) -> Any:
        return self.container[self.key]


def parse_path(text: str) -> tuple[Step, ...]:
    """The steps of a path; raises ValueError naming the path when it cannot be read."""
    path = text.strip()
    if not path.startswith("$"):
        path = "$." + path
    steps: list[Step] = []
    pos = 1
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            raise ValueError(f"cannot read JSON path {text!r} at character {pos + 1}")
        steps.append(_step_of(match))
        pos = match.end()
    return tuple(steps)


def _step_of(match: re.Match[str]) -> Step:
    name, index, quoted1, quoted2 = match.groups()
    if index is not None:
        return WILDCARD if index == WILDCARD else int(index)
    if name is not None:
        return name
    return quoted1 if quoted1 is not None else str(quoted2)


def find_slots(doc: Any, path: str) -> list[Slot]:
    """Every value ``path`` matches in ``doc``, in document order."""
    steps = parse_path(path)
    if not steps:
        return []
    return list(_walk(doc, steps, (), path))


def _walk(node: Any, steps: tuple[Step, ...], record: RecordKey, template: str) -> Iterator[Slot]:
    step, rest = steps[0], steps[1:]
    for key, child_record in _children(node, step, record):
        if not rest:
            yield Slot(node, key, child_record, template)
        else:
            yield from _walk(node[key], rest, child_record, template)


def _children(node: Any, step: Step, record: RecordKey) -> Iterator[tuple[Step, RecordKey]]:
    if isinstance(node, dict):
        if step == WILDCARD:
            yield from ((key, record) for key in list(node))
        elif isinstance(step, str) and step in node:
            yield step, record
    elif isinstance(node, list):
        if step == WILDCARD:
            yield from ((i, (*record, i)) for i in range(len(node)))
        elif isinstance(step, int) and -len(node) <= step < len(node):
            yield step, record
