"""Turn pydantic validation errors into located, suggestion-carrying problems."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from chaosml import redaction
from chaosml.errors import Problem
from chaosml.yaml_source import Loc, Source

M = TypeVar("M", bound=BaseModel)


class Collector:
    """Collects every problem of one file, so all are reported at once."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str, suggestion: str | None = None) -> None:
        self.problems.append(self.source.problem(loc, message, suggestion))

    def unknown_key(self, loc: Loc, key: str, allowed: list[str], what: str = "key") -> None:
        self.add((*loc, key), f"unknown {what} '{key}'", suggest(key, allowed))

    def validate(self, model: type[M], data: Any, loc: Loc) -> M | None:
        try:
            return model.model_validate(data)
        except PydanticError as exc:
            grouped: dict[Loc, list[Any]] = {}
            for error in exc.errors():
                where = _real_loc(data, error["loc"])
                grouped.setdefault(where, []).append(error)
            for where, errors in grouped.items():
                self._add_pydantic(model, where, errors, loc)
            return None

    def _add_pydantic(
        self, model: type[BaseModel], where: Loc, errors: list[Any], loc: Loc
    ) -> None:
        full = (*loc, *where)
        kind = errors[0]["type"]
        if kind == "extra_forbidden":
            key = str(where[-1]) if where else "?"
            self.add(full, f"unknown key '{key}'", suggest(key, fields_at(model, where[:-1])))
        elif kind == "missing":
            self.add(full, f"missing required key '{where[-1] if where else '?'}'")
        else:
            messages = list(dict.fromkeys(_message(e) for e in errors))
            text = " or ".join(messages) if len(messages) < 4 else messages[0]
            self.add(full, text, _closest_literal(errors[0]))


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
