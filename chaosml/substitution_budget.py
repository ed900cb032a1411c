"""A bound on what ``${...}`` references add to a document.

Vars may refer to earlier vars, so ``b: ${a}${a}``, ``c: ${b}${b}``, … doubles at every line —
a bomb made of substitutions instead of YAML aliases. Every reference's value is counted
(characters of a string, values and characters of a list or mapping); past the file size limit
the reference is an error at its location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml.substitution import Substituter, SubstitutionError
from chaosml.yaml_limits import max_file_bytes
from chaosml.yaml_source import Loc


@dataclass
class BoundedSubstituter(Substituter):
    """A Substituter that refuses to substitute more than the file size limit in all."""

    budget: int = field(default_factory=max_file_bytes)
    used: int = 0
    _sizes: dict[int, int] = field(default_factory=dict)

    def _lookup(self, ref: str, loc: Loc) -> Any:
        value = super()._lookup(ref, loc)
        self.used += self._size(value)
        if self.used > self.budget:
            raise SubstitutionError(
                loc,
                f"substituting '${{{ref.strip()}}}' makes the document larger than "
                f"{self.budget:,} bytes (the input size limit)",
            )
        return value

    def _size(self, value: Any) -> int:
        if isinstance(value, str):
            return len(value)
        if not isinstance(value, list | dict):
            return len(str(value))
        known = self._sizes.get(id(value))
        if known is None:
            items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            known = sum(1 + self._size(k) + self._size(v) for k, v in items)
            self._sizes[id(value)] = known
        return known
