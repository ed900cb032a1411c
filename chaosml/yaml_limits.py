"""The bounds on an input file, checked before it is built: size, nesting depth, value count.

A document inside these bounds is answered (valid or not) within a second or two and well under
200 MB, whatever it holds — aliases included (``yaml_source`` counts every alias expansion
against ``MAX_VALUES``). The limits are documented in docs/experiment-format.md.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import yaml

from chaosml.errors import Problem, ValidationError

MAX_FILE_BYTES_ENV = "CHAOSML_MAX_FILE_BYTES"
DEFAULT_MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 64  # nested mappings and lists
MAX_VALUES = 20_000  # scalars, mappings and lists, each alias expansion counted again
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300

# libyaml when the installed PyYAML has it (10x faster); the pure-Python parser otherwise
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_VALUE = (yaml.ScalarEvent, yaml.AliasEvent, *_OPEN)


def max_file_bytes() -> int:
    """The size limit of an input file: ``CHAOSML_MAX_FILE_BYTES`` or 1 MB."""
    configured = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return DEFAULT_MAX_FILE_BYTES


def check_size(size: int, name: str) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise ValidationError(
            [
                Problem(
                    "",
                    f"the file is larger than {limit:,} bytes, the limit for an input file "
                    f"(raise it with {MAX_FILE_BYTES_ENV}=BYTES if this is really an experiment)",
                    name,
                )
            ]
        )


@dataclass
class _Count:
    depth: int = 0
    values: int = 0


def check_shape(text: str, name: str) -> None:
    """Walk the parser's events (no recursion, nothing kept): refuse a document nested deeper
    than MAX_DEPTH or with more than MAX_VALUES values, located at the value that crosses it."""
    loader = Loader(text)
    count = _Count()
    try:
        while loader.check_event():
            _step(loader.get_event(), count, name)  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()


def _step(event: yaml.Event, count: _Count, name: str) -> None:
    if isinstance(event, _VALUE):
        count.values += 1
        if count.values > MAX_VALUES:
            _refuse(event, name, f"the document has more than {MAX_VALUES:,} values (the limit)")
    if isinstance(event, _OPEN):
        count.depth += 1
        if count.depth > MAX_DEPTH:
            _refuse(event, name, f"nested deeper than {MAX_DEPTH} levels (the limit)")
    elif isinstance(event, _CLOSE):
        count.depth -= 1


def _refuse(event: yaml.Event, name: str, message: str) -> None:
    mark = event.start_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    raise ValidationError([Problem("", message, name, line, column)])
