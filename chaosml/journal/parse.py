"""One raw journal line (a parsed JSON object) made into its typed event, or what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from chaosml.journal import events as _events  # noqa: F401  (defines and registers the kinds)
from chaosml.journal.base import EVENT_TYPES, GenericEvent, JournalEvent
from chaosml.journal.upgrade import upgraded


class EventProblem(ValueError):
    """A line that is not a valid event; its text says what is wrong (no file, no line)."""


def parse_event(raw: Mapping[str, Any]) -> JournalEvent:
    """The typed event of one raw event; an unknown kind is a ``GenericEvent``."""
    data = upgraded(dict(raw))
    kind = data.get("event")
    if not isinstance(kind, str):
        raise EventProblem("not a journal event (no 'event' field naming its type)")
    cls = EVENT_TYPES.get(kind, GenericEvent)
    for key in cls.required:
        if key not in data:
            raise EventProblem(f"a '{kind}' event without its '{key}' field")
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise EventProblem(_explained(kind, exc)) from None


def problem(raw: Mapping[str, Any]) -> str | None:
    """What is wrong with one raw event, or None."""
    try:
        parse_event(raw)
    except EventProblem as exc:
        return str(exc)
    return None


def _explained(kind: str, exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"] if not _a_type_tag(part))
    if first["type"] == "missing":
        return f"a '{kind}' event without its '{where}' field"
    why = first["msg"].split(" or instance of")[0].lower()
    return f"'{kind}' field '{where}': {why}, got {_shown(first['input'])}"


def _a_type_tag(part: Any) -> bool:
    """pydantic names the member of a union it tried (``float``, ``TargetJson``)."""
    return isinstance(part, str) and (part in {"float", "int", "str", "bool"} or part[:1].isupper())


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
