"""Which records a corruption may touch: ``where:`` predicates on fields of the record.

A predicate names a field (a JSON path in the same syntax as ``fields``) and one test of its
value: ``equals``, ``in``, ``above``/``below`` (numbers; both may be given for a range),
``regex`` (searched in the value's text) or ``missing`` (absent, null or an empty CSV cell).
A record is in the slice when every predicate holds. The field's value for a record is the one
found in that record or in a record enclosing it: with ``fields: [$.records[*].age]``,
``$.records[*].country`` is each record's own country and ``$.region`` the document's region.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosml.contract.checks import checked_by, regex_check
from chaosml.feed.paths import RecordKey, find_slots, parse_path

_ABSENT = object()
OPERATORS = ("equals", "in", "above", "below", "regex", "missing")


class Predicate(BaseModel):
    """One test of one field's value; ``field`` may be left out only where the field is implied
    (an MNAR mechanism tests the corrupted field's own value)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: Annotated[str, checked_by(parse_path)] | None = None
    equals: Any = None
    in_: tuple[Any, ...] | None = Field(default=None, alias="in")
    above: float | None = None
    below: float | None = None
    regex: Annotated[str, regex_check("not a regular expression")] | None = None
    missing: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Predicate:
        given = self.operators()
        if not given:
            raise ValueError(f"a predicate needs one of {', '.join(OPERATORS)}")
        if "missing" in given and len(given) > 1:
            raise ValueError("'missing' is a test of its own: give it alone")
        if len(given) > 1 and set(given) != {"above", "below"}:
            raise ValueError(f"one test per predicate (found {' and '.join(given)})")
        return self

    def operators(self) -> list[str]:
        """The tests this predicate states (``equals`` counts when given, even as null)."""
        named = {"in_": "in"}
        return [
            named.get(key, key)
            for key in ("equals", "in_", "above", "below", "regex", "missing")
            if key in self.model_fields_set
        ]

    def holds(self, value: Any) -> bool:
        """Whether ``value`` (``ABSENT`` when the record has no such field) passes the test."""
        absent = value is _ABSENT or value is None or value == ""
        if "missing" in self.model_fields_set:
            return absent is bool(self.missing)
        if value is _ABSENT:
            return False
        if "equals" in self.model_fields_set:
            return equal(value, self.equals)
        if self.in_ is not None:
            return any(equal(value, option) for option in self.in_)
        if self.regex is not None:
            return value is not None and re.search(self.regex, _text(value)) is not None
        return _in_range(value, self.above, self.below)

    def describe(self) -> str:
        test = self.operators()[0]
        shown = {"in": self.in_, "missing": self.missing}.get(test, getattr(self, test, None))
        if set(self.operators()) == {"above", "below"}:
            return f"{self.above:g} < {self.field or 'value'} < {self.below:g}"
        return f"{self.field or 'value'} {test} {shown!r}"


ABSENT = _ABSENT


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def equal(value: Any, expected: Any) -> bool:
    """Numbers compare as numbers, booleans only with booleans, a number read from a CSV cell
    equals its text (``equals: "007"`` does not match 7, ``equals: "7"`` does)."""
    if _is_number(value) and _is_number(expected):
        return bool(value == expected)
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    if isinstance(expected, str) and _is_number(value):
        return _text(value) == expected
    return bool(value == expected)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _in_range(value: Any, above: float | None, below: float | None) -> bool:
    if not _is_number(value) or value != value:  # NaN is in no range
        return False
    return (above is None or value > above) and (below is None or value < below)


class SliceView:
    """The ``where`` predicates evaluated against one document's records."""

    def __init__(self, doc: Any, where: Sequence[Predicate]) -> None:
        self.where = where
        self._values = [_values_by_record(doc, str(p.field)) for p in where]

    def contains(self, record: RecordKey) -> bool:
        return all(
            p.holds(_lookup(values, record))
            for p, values in zip(self.where, self._values, strict=True)
        )


def _values_by_record(doc: Any, path: str) -> dict[RecordKey, Any]:
    values: dict[RecordKey, Any] = {}
    for slot in find_slots(doc, path):
        values.setdefault(slot.record, slot.value)
    return values


def _lookup(values: dict[RecordKey, Any], record: RecordKey) -> Any:
    """The value in ``record`` or in the nearest record enclosing it."""
    for end in range(len(record), -1, -1):
        if record[:end] in values:
            return values[record[:end]]
    return _ABSENT
