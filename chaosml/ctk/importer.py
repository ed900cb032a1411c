"""Read a Chaos Toolkit file, convert it, check the result with chaosml's own loader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chaosml.ctk.convert import Converted, convert
from chaosml.ctk.detect import is_ctk
from chaosml.ctk.emit import to_yaml
from chaosml.errors import Problem, ValidationError
from chaosml.yaml_source import read_source


@dataclass
class Imported:
    converted: Converted
    text: str  # the chaosml experiment, YAML with comments


def import_file(path: str | Path) -> Imported:
    """The converted experiment; a ValidationError (exit 2) when ``path`` is not Chaos Toolkit's."""
    source = read_source(path)
    if not is_ctk(source.data):
        reason = "no 'steady-state-hypothesis', and no method of type/provider activities"
        if isinstance(source.data, dict) and "steady_state" in source.data:
            reason = "it is already a chaosml experiment (it has 'steady_state')"
        raise ValidationError(
            [Problem("", f"not a Chaos Toolkit experiment: {reason}", source.file)]
        )
    converted = convert(source)
    return Imported(converted, to_yaml(converted, Path(path).name))
