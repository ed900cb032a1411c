"""Read YAML or JSON into plain data plus the line and column of every key and item."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chaosml.errors import Problem, ValidationError

Loc = tuple[str | int, ...]
SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass
class Source:
    """A parsed document and where each of its parts stands in the file."""

    data: Any
    file: str
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[int | None, int | None]:
        """Line and column of ``loc``, or of its nearest ancestor that has a mark."""
        for end in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:end]))
            if mark:
                return mark
        return None, None

    def problem(self, loc: Loc, message: str, suggestion: str | None = None) -> Problem:
        line, column = self.where(loc)
        return Problem(render_loc(loc), message, self.file, line, column, suggestion)


def render_loc(loc: Loc) -> str:
    """``('method', 2, 'fault')`` → ``method[2].fault``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_source(path: str | Path) -> Source:
    """Read a .yaml/.yml/.json file; every syntax problem becomes a ValidationError."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ValidationError(
            [
                Problem(
                    "",
                    f"expected a .yaml, .yml or .json file, got '{path.suffix or 'no suffix'}'",
                    name,
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem("", f"cannot read the file: {exc}", name)]) from None
    return parse_text(text, name, is_json=path.suffix.lower() == ".json")


def parse_text(text: str, name: str = "<string>", *, is_json: bool = False) -> Source:
    if not text.strip():
        raise ValidationError(
            [Problem("", "the file is empty: expected an experiment mapping", name)]
        )
    if is_json:
        _check_json(text, name)
    try:
        return _compose(text, name)
    except yaml.MarkedYAMLError as exc:
        raise ValidationError([_yaml_problem(exc, name)]) from None
    except yaml.YAMLError as exc:
        raise ValidationError([Problem("", f"not valid YAML: {exc}", name)]) from None


def _check_json(text: str, name: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem("", f"not valid JSON: {exc.msg}", name, exc.lineno, exc.colno)]
        ) from None


def _yaml_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "syntax error"
    if "\\t" in what or "\t" in what:
        what += " (YAML does not allow tabs for indentation; use spaces)"
    if exc.context:
        what = f"{exc.context}: {what}"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return Problem("", f"not valid YAML: {what}", name, line, column)


def _compose(text: str, name: str) -> Source:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ValidationError(
                [Problem("", "the file is empty: expected an experiment mapping", name)]
            )
        source = Source(None, name)
        source.data = _build(node, (), source, loader)
        return source
    finally:
        loader.dispose()


def _build(node: yaml.Node, loc: Loc, source: Source, loader: yaml.SafeLoader) -> Any:
    source.marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, loc, source, loader)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), source, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _build_mapping(
    node: yaml.MappingNode, loc: Loc, source: Source, loader: yaml.SafeLoader
) -> dict[str, Any]:
    loader.flatten_mapping(node)
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            mark = key_node.start_mark
            raise ValidationError(
                [
                    Problem(
                        render_loc((*loc, key)),
                        f"duplicate key '{key}'",
                        source.file,
                        mark.line + 1,
                        mark.column + 1,
                    )
                ]
            )
        source.marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        out[key] = _build(value_node, (*loc, key), source, loader)
    return out
