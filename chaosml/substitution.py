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


SECRET_ENV_PREFIX = "CHAOSML_SECRET_"
_SECRET_REF = re.compile(r"\$\$|\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}")


class MissingSecret(Exception):
    def __init__(self, name: str, variable: str) -> None:
        super().__init__(f"secret '{name}' needs the environment variable {variable}")
        self.name = name
        self.variable = variable


@dataclass(frozen=True)
class SecretRefs:
    """A run's secrets by name, and where each came from (``${env:NAME}``) when that can be
    written down without the secret: undo records journal ``${secret:name}`` in their place
    and ``chaosml rollback`` resolves it from the environment again."""

    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str | None] = field(default_factory=dict)

    def template(self, value: Any) -> tuple[Any, dict[str, str | None]]:
        """``value`` with every secret replaced by ``${secret:name}`` (and ``$`` written ``$$``
        in its strings) plus the names used and their sources; unchanged when it holds none."""
        used: dict[str, str | None] = {}
        templated = self._walk(value, used)
        if not used:
            return value, {}
        return templated, used

    def _walk(self, value: Any, used: dict[str, str | None]) -> Any:
        if isinstance(value, str):
            return self._string(value, used)
        if isinstance(value, list | tuple):
            return [self._walk(v, used) for v in value]
        if isinstance(value, dict):
            return {k: self._walk(v, used) for k, v in value.items()}
        return value

    def _string(self, text: str, used: dict[str, str | None]) -> str:
        out = text.replace("$", "$$")
        for name, secret in sorted(self.values.items(), key=lambda kv: -len(kv[1])):
            if secret and secret.replace("$", "$$") in out:
                out = out.replace(secret.replace("$", "$$"), f"${{secret:{name}}}")
                used[name] = self.sources.get(name)
        return out


def secret_variable(name: str, source: str | None) -> str:
    """The environment variable a ``${secret:name}`` is read from at rollback."""
    match = re.fullmatch(r"\$\{env:([^}:]+)\}", source or "")
    return match.group(1) if match else SECRET_ENV_PREFIX + re.sub(r"\W", "_", name).upper()


def expand_secrets(
    value: Any, sources: Mapping[str, str | None], environ: Mapping[str, str]
) -> Any:
    """The reverse of ``SecretRefs.template``: ``${secret:name}`` from the environment."""
    if isinstance(value, str):
        return _SECRET_REF.sub(lambda m: _secret(m, sources, environ), value)
    if isinstance(value, list):
        return [expand_secrets(v, sources, environ) for v in value]
    if isinstance(value, dict):
        return {k: expand_secrets(v, sources, environ) for k, v in value.items()}
    return value


def _secret(match: re.Match[str], sources: Mapping[str, str | None], env: Mapping[str, str]) -> str:
    if match.group(0) == "$$":
        return "$"
    name = match.group(1)
    variable = secret_variable(name, sources.get(name))
    if variable not in env:
        raise MissingSecret(name, variable)
    return env[variable]


def missing_secrets(
    sources: Mapping[str, str | None], environ: Mapping[str, str]
) -> list[MissingSecret]:
    """The secrets an undo needs whose environment variable is not set."""
    out = []
    for name, source in sources.items():
        variable = secret_variable(name, source)
        if variable not in environ:
            out.append(MissingSecret(name, variable))
    return out


_ENV_ONLY = re.compile(r"\$\{\s*env:([^}:\s]+)(?::-[^}]*)?\s*\}")


def secret_refs(
    definitions: Mapping[str, Any], values: Mapping[str, Any], overrides: Mapping[str, str]
) -> SecretRefs:
    """The secrets' values and, for those defined as exactly ``${env:NAME}`` (a default
    allowed) and not overridden, that source."""
    resolved = {k: str(values[k]) for k in definitions if k in values and str(values[k])}
    sources: dict[str, str | None] = {}
    for name in resolved:
        match = _ENV_ONLY.fullmatch(str(definitions[name]))
        given = match is not None and name not in overrides
        sources[name] = f"${{env:{match.group(1)}}}" if given and match else None
    return SecretRefs(resolved, sources)
