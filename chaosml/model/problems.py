"""Turn pydantic validation errors into located, suggestion-carrying problems — in one place.

The written form of an experiment is checked by the model's own validators (``chaosml.model
.written``). What they find is carried inside pydantic's ``ValidationError`` as errors of the
type ``chaosml``, already worded, with the suggestion in their context; pydantic's own errors
(a wrong type, a missing or unknown key) are worded here by ``problems_of``, the one translation
from a pydantic error to a message. ``Collector`` places each at its file:line:column.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from pydantic_core import InitErrorDetails, PydanticCustomError

from chaosml import redaction
from chaosml.errors import Problem
from chaosml.yaml_source import Loc, Source

M = TypeVar("M", bound=BaseModel)
CHAOSML = "chaosml"  # the error type of a problem the format's validators word themselves
Found = tuple[Loc, str, str | None]  # where, what, the closest valid key or value


class Collector:
    """Collects every problem of one file, so all are reported at once."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str, suggestion: str | None = None) -> None:
        self.problems.append(self.source.problem(loc, message, suggestion))

    def unknown_key(self, loc: Loc, key: str, allowed: list[str], what: str = "key") -> None:
        self.add((*loc, key), f"unknown {what} '{key}'", suggest(key, allowed))

    def validate(
        self, model: type[M], data: Any, loc: Loc, context: dict[str, Any] | None = None
    ) -> M | None:
        try:
            return model.model_validate(data, context=context)
        except PydanticError as exc:
            for where, message, suggestion in problems_of(model, data, exc):
                self.add((*loc, *where), message, suggestion)
            return None


class Gather:
    """The problems of one written object, raised together as one pydantic error (a validator
    raises it; pydantic keeps its errors and prefixes their locations on the way up)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.found: list[Found] = []

    def add(self, loc: Loc, message: str, suggestion: str | None = None) -> None:
        self.found.append((loc, message, suggestion))

    def unknown_key(self, loc: Loc, key: str, allowed: list[str], what: str = "key") -> None:
        self.add((*loc, key), f"unknown {what} '{key}'", suggest(key, allowed))

    def run(self, model: type[BaseModel], data: Any, loc: Loc, call: Callable[[], M]) -> M | None:
        """``call()`` (which validates ``data`` as ``model``), or None with its problems kept."""
        try:
            return call()
        except PydanticError as exc:
            self.found += [((*loc, *w), m, s) for w, m, s in problems_of(model, data, exc)]
            return None

    def validate(
        self, model: type[M], data: Any, loc: Loc, context: dict[str, Any] | None
    ) -> M | None:
        return self.run(model, data, loc, lambda: model.model_validate(data, context=context))

    def raise_if_any(self) -> None:
        if self.found:
            raise self.error(self.found)

    def error(self, found: list[Found]) -> PydanticError:
        details = [
            InitErrorDetails(
                type=PydanticCustomError(
                    CHAOSML, "{message}", {"message": message, "suggestion": suggestion}
                ),
                loc=loc,
                input=None,
            )
            for loc, message, suggestion in found
        ]
        return PydanticError.from_exception_data(self.title, details)


def problems_of(model: type[BaseModel], data: Any, exc: PydanticError) -> list[Found]:
    """Each problem of ``exc`` (raised validating ``data`` as ``model``), worded, in order."""
    grouped: dict[Loc, list[Any]] = {}
    out: list[Found] = []
    for error in exc.errors(include_url=False):
        if error["type"] == CHAOSML:
            ctx = error.get("ctx") or {}
            out.append((tuple(error["loc"]), str(ctx["message"]), ctx.get("suggestion")))
            continue
        where = _real_loc(data, error["loc"])
        if where not in grouped:
            grouped[where] = []
            out.append((where, "", None))  # worded below, in the order first seen
        grouped[where].append(error)
    return [_worded(model, f[0], grouped[f[0]]) if not f[1] else f for f in out]


def _worded(model: type[BaseModel], where: Loc, errors: list[Any]) -> Found:
    kind = errors[0]["type"]
    if kind == "extra_forbidden":
        key = str(where[-1]) if where else "?"
        return where, f"unknown key '{key}'", suggest(key, fields_at(model, where[:-1]))
    if kind == "missing":
        return where, f"missing required key '{where[-1] if where else '?'}'", None
    messages = list(dict.fromkeys(_message(e) for e in errors))
    text = " or ".join(messages) if len(messages) < 4 else messages[0]
    return where, text, _closest_literal(errors[0])


def _real_loc(data: Any, raw: tuple[Any, ...]) -> Loc:
    """The error's location in the input, without pydantic's union-member tags."""
    out: list[str | int] = []
    current = data
    for part in raw:
        if isinstance(part, int) and isinstance(current, list) and 0 <= part < len(current):
            current = current[part]
            out.append(part)
        elif isinstance(part, str) and isinstance(current, dict):
            current = current.get(part)
            out.append(part)
        elif isinstance(part, str) and current is None:
            out.append(part)
    return tuple(out)


def _message(error: Any) -> str:
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    if error["type"] in {"literal_error", "enum"}:
        return f"{msg}, got {error.get('input')!r}"
    shown = error.get("input")
    if error["type"].endswith("_type") or error["type"].endswith("_parsing"):
        return f"{msg}, got {type(shown).__name__} {_clip(shown)}"
    if isinstance(shown, int | float | str) and not isinstance(shown, bool):
        return f"{msg}, got {_clip(shown)}"
    return msg


def _closest_literal(error: Any) -> str | None:
    """For a value outside a fixed set (``mode: nann``), the closest allowed one."""
    if error["type"] not in {"literal_error", "enum"} or not isinstance(error.get("input"), str):
        return None
    allowed = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
    return suggest(error["input"], allowed)


def _clip(value: Any) -> str:
    return redaction.clip(repr(value), 60)


def suggest(key: str, allowed: list[str]) -> str | None:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names of the (nested) model found at ``loc`` inside ``model``."""
    current: Any = model
    skip_key = False
    for part in loc:
        if skip_key:
            skip_key = False
            continue
        if isinstance(part, int) or not _is_model(current):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current, skip_key = _inner_model(field.annotation)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: Any) -> tuple[Any, bool]:
    """The model inside Optional/list/dict annotations, and whether a dict key comes next."""
    if _is_model(annotation):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    is_dict = origin is dict
    candidates = args[1:] if is_dict else args
    for arg in candidates:
        inner, _ = _inner_model(arg)
        if _is_model(inner):
            return inner, is_dict
    if origin in (typing.Union, types.UnionType):
        return None, False
    return None, False
