"""``${name}``, ``${env:NAME}`` and ``${env:NAME:-default}`` in experiment strings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaosml.yaml_source import Loc

_REF = re.compile(r"\$\$|\$\{([^}]*)\}")
_WHOLE = re.compile(r"^\$\{([^}]*)\}$")


class SubstitutionError(Exception):
    def __init__(self, loc: Loc, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.suggestion = suggestion


@dataclass
class Substituter:
    """Resolves references against vars, secrets and an environment mapping."""

    environ: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any, loc: Loc) -> Any:
        """``value`` with every reference replaced; lists and mappings are walked."""
        if isinstance(value, str):
            return self._string(value, loc)
        if isinstance(value, list):
            return [self.resolve(v, (*loc, i)) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.resolve(v, (*loc, k)) for k, v in value.items()}
        return value

    def _string(self, text: str, loc: Loc) -> Any:
        whole = _WHOLE.match(text)
        if whole:  # "${replicas}" keeps the variable's own type
            return self._lookup(whole.group(1), loc)
        return _REF.sub(lambda m: self._piece(m, loc), text)

    def _piece(self, match: re.Match[str], loc: Loc) -> str:
        if match.group(0) == "$$":
            return "$"
        return str(self._lookup(match.group(1), loc))

    def _lookup(self, ref: str, loc: Loc) -> Any:
        ref = ref.strip()
        if ref.startswith("env:"):
            return self._env(ref[4:], loc)
        if ref in self.values:
            return self.values[ref]
        close = difflib.get_close_matches(ref, list(self.values), n=1)
        raise SubstitutionError(
            loc, f"'${{{ref}}}' is not a declared var or secret", close[0] if close else None
        )

    def _env(self, spec: str, loc: Loc) -> str:
        name, sep, default = spec.partition(":-")
        if not name:
            raise SubstitutionError(loc, "'${env:}' names no environment variable")
        value = self.environ.get(name)
        if value is not None and (value or not sep):
            return value
        if sep:
            return default
        raise SubstitutionError(
            loc,
            f"environment variable {name} is not set "
            f"(write ${{env:{name}:-default}} to give a default)",
        )


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["k=v", ...]`` from ``--var`` into a dict; a pair without ``=`` is an error."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--var expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out
