"""Read YAML or JSON into plain data plus the line and column of every key and item."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import yaml

from chaosml import yaml_limits as limits
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
        with path.open("rb") as stream:
            raw = stream.read(limits.max_file_bytes() + 1)  # never more than the limit
        limits.check_size(len(raw), name)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem("", f"cannot read the file: {exc}", name)]) from None
    return parse_text(text, name, is_json=path.suffix.lower() == ".json")


def parse_text(text: str, name: str = "<string>", *, is_json: bool = False) -> Source:
    limits.check_size(len(text.encode("utf-8", errors="replace")), name)
    if not text.strip():
        raise ValidationError(
            [Problem("", "the file is empty: expected an experiment mapping", name)]
        )
    if is_json:
        _check_json(text, name)
    try:
        limits.check_shape(text, name)
        return _compose(text, name)
    except yaml.MarkedYAMLError as exc:
        raise ValidationError([_yaml_problem(exc, name, text)]) from None
    except yaml.YAMLError as exc:
        raise ValidationError([Problem("", f"not valid YAML: {exc}", name)]) from None
    except RecursionError:  # a last resort: the limits above keep the builder shallow
        raise ValidationError([Problem("", "the document is nested too deeply", name)]) from None


def _check_json(text: str, name: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem("", f"not valid JSON: {exc.msg}", name, exc.lineno, exc.colno)]
        ) from None
    except (ValueError, RecursionError):
        return  # a too long number or too deep nesting: the YAML reader locates it


def _yaml_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "syntax error"
    context = exc.context
    if "maximum nesting depth" in what:  # libyaml's own bound, met before ours in flow style
        what, context = f"nested deeper than {limits.MAX_DEPTH} levels (the limit)", None
    if "\\t" in what or "\t" in what or (mark and _char_at(text, mark) == "\t"):
        what += " (YAML does not allow tabs for indentation; use spaces)"
    if context:
        what = f"{context}: {what}"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return Problem("", f"not valid YAML: {what}", name, line, column)


def _char_at(text: str, mark: yaml.Mark) -> str:
    """The character a mark points at (libyaml's messages do not show it)."""
    lines = text.splitlines()
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    return line[mark.column] if 0 <= mark.column < len(line) else ""


def _compose(text: str, name: str) -> Source:
    loader = limits.Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ValidationError(
                [Problem("", "the file is empty: expected an experiment mapping", name)]
            )
        source = Source(None, name)
        source.data = _Expander(source, loader).build(node, ())
        return source
    finally:
        loader.dispose()


class _Expander:
    """Nodes → plain data, with every alias expanded — bounded: at most MAX_VALUES values and
    MAX_DEPTH levels after expansion (a "billion laughs" document stops at the first value over
    the budget), and an alias inside the node it refers to is an error, not a recursion."""

    def __init__(self, source: Source, loader: yaml.SafeLoader) -> None:
        self.source = source
        self.loader = loader
        self.values = 0
        self.open: set[int] = set()  # the collections being built (an alias back to one loops)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self._count(node, loc)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, loc)
        if id(node) in self.open:
            self._fail(loc, "an alias refers to a node that contains it (the value is infinite)")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _count(self, node: yaml.Node, loc: Loc) -> None:
        self.source.marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        self.values += 1
        if self.values > limits.MAX_VALUES:
            self._fail(
                loc,
                f"with its aliases expanded the document has more than {limits.MAX_VALUES:,} "
                "values (the limit; a YAML bomb?)",
            )
        if len(loc) > limits.MAX_DEPTH:
            self._fail(loc, f"with its aliases expanded, nested deeper than {limits.MAX_DEPTH}")

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            digits = len(node.value.lstrip("+-").replace("_", ""))
            if digits > limits.MAX_INT_DIGITS and node.tag.endswith(":int"):
                self._fail(loc, f"a number of {digits} digits (at most {limits.MAX_INT_DIGITS})")
            self._fail(loc, f"cannot read the value {node.value[:40]!r}: {exc}")

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self._merge(merged, value_node, loc)
                continue
            key = self._key(key_node, loc)
            if key in out:
                self._fail((*loc, key), f"duplicate key '{key}'", key_node.start_mark)
            mark = key_node.start_mark
            self.source.marks[(*loc, key)] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, (*loc, key))
        return {**{k: v for k, v in merged.items() if k not in out}, **out}

    def _key(self, node: yaml.Node, loc: Loc) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self._fail(loc, "a key must be a plain value, not a list or a mapping", node.start_mark)
        key = self._scalar(node, loc)
        return key if isinstance(key, str) else str(key)

    def _merge(self, merged: dict[str, Any], node: yaml.Node, loc: Loc) -> None:
        """``<<: *defaults`` or ``<<: [*a, *b]``: the keys not given already (earlier wins)."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in sources:
            value = self.build(item, loc)
            if not isinstance(value, dict):
                self._fail(loc, "'<<' merges mappings only", item.start_mark)
            for key, inner in value.items():
                merged.setdefault(key, inner)

    def _fail(self, loc: Loc, message: str, mark: yaml.Mark | None = None) -> NoReturn:
        problem = self.source.problem(loc, message)
        if mark is not None:
            problem = replace(problem, line=mark.line + 1, column=mark.column + 1)
        raise ValidationError([problem])


MERGE_TAG = "tag:yaml.org,2002:merge"
