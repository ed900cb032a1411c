"""YAML/JSON → a validated Experiment; every problem with file:line:col and key path, all at once.

Nothing is executed here. The loader reads the file, substitutes ``${…}``, and validates the
document with the model (``chaosml.model.experiment``, given the installed drivers): the models
are the format. ``chaosml.model.problems`` places each problem at its line and column.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chaosml import redaction
from chaosml.contract import connection
from chaosml.ctk.detect import is_ctk
from chaosml.drivers.registry import Registry, default_registry
from chaosml.errors import Problem, ValidationError
from chaosml.model import experiment as m
from chaosml.model.loaded import Loaded
from chaosml.model.problems import Collector, suggest
from chaosml.substitution import SecretRefs, Substituter, SubstitutionError, secret_refs
from chaosml.substitution_budget import BoundedSubstituter
from chaosml.yaml_source import Loc, Source, parse_text, read_source


def load_file(
    path: str | Path,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    *,
    strict_vars: bool = True,
) -> Loaded:
    """``strict_vars``: an override the file does not declare is an error (``--var``); a game
    day gives its vars to every experiment and passes False (the undeclared ones are unused)."""
    return load_source(read_source(path), overrides, environ, registry, strict_vars=strict_vars)


def load_text(text: str, name: str = "<string>", **kwargs: Any) -> Loaded:
    return load_source(parse_text(text, name, is_json=name.endswith(".json")), **kwargs)


def load_source(
    source: Source,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    *,
    strict_vars: bool = True,
) -> Loaded:
    out = Collector(source)
    _check_kind(out, source)
    environ = os.environ if environ is None else environ
    doc, secrets, refs = _substitute(out, source.data, dict(overrides or {}), environ, strict_vars)
    secrets += connection.secrets_in(doc)  # passwords and tokens of sources
    redaction.remember(secrets)  # before validation: its messages quote values
    context = {"registry": registry or default_registry(), "folder": _folder(source.file)}
    experiment = out.validate(m.Experiment, doc, (), context)
    if out.problems or experiment is None:
        raise ValidationError(_without_cascades(out.problems))
    return Loaded(experiment, source.file, secrets, doc, refs)


def _check_kind(out: Collector, source: Source) -> None:
    """An experiment is a mapping — and neither a game-day plan nor a Chaos Toolkit file."""
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else type(source.data).__name__
        out.add((), f"an experiment must be a mapping of keys, got {kind}")
    elif is_plan(source.data):
        out.add((), f"this is a game day plan: chaosml gameday {source.file}")
    elif is_ctk(source.data):
        out.add((), f"this is a Chaos Toolkit experiment: chaosml import {source.file}")
    if out.problems:
        raise ValidationError(out.problems)


def _folder(file: str) -> str:
    """Where relative files of the experiment (TLS certificates) are read from."""
    return os.path.dirname(file) if os.path.isfile(file) else ""


_UNRESOLVED = re.compile(r"got '[^']*\$\{")


def _without_cascades(problems: list[Problem]) -> list[Problem]:
    """Leave out errors about a value that still holds a ``${…}`` its substitution could not
    resolve: that substitution's own problem (a missing variable) is the one cause to report."""
    kept = [p for p in problems if not _UNRESOLVED.search(p.message)]
    return kept or problems


def is_plan(data: Any) -> bool:
    """A game-day plan: a mapping with ``experiments:`` and no ``method:``."""
    return isinstance(data, dict) and "experiments" in data and "method" not in data


# -- substitution: ${name}, ${env:NAME} ------------------------------------------------------
def _substitute(
    out: Collector,
    data: dict[str, Any],
    overrides: dict[str, str],
    environ: Mapping[str, str],
    strict_vars: bool,
) -> tuple[dict[str, Any], list[str], SecretRefs]:
    """The document with ``vars`` and ``secrets`` substituted (secrets shown ``***``), the
    secrets' values and their references. ``strict_vars``: an override the file does not
    declare is an error."""
    sub = BoundedSubstituter(environ)
    given = dict(overrides)  # before they are used up: a --var secret has no env source
    sections: dict[str, dict[str, Any]] = {}
    for section in ("vars", "secrets"):
        values = data.get(section) or {}
        if not isinstance(values, dict):
            out.add((section,), f"'{section}' must be a mapping of names to values")
            values = {}
        sections[section] = values
        for name, value in values.items():
            resolved = _resolve(out, sub, value, (section, name))
            sub.values[name] = overrides.pop(name, resolved)
    if strict_vars:
        _check_overrides(out, overrides, list(sections["vars"]), data)
    else:
        sub.values.update(overrides)
    secrets = [str(sub.values[k]) for k in sections["secrets"] if k in sub.values]
    refs = secret_refs(sections["secrets"], sub.values, given)
    body = {k: v for k, v in data.items() if k not in ("vars", "secrets")}
    doc = _resolve(out, sub, body, ())
    doc["vars"] = {k: sub.values.get(k) for k in sections["vars"]}
    doc["secrets"] = {k: "***" for k in sections["secrets"]}
    return doc, [s for s in secrets if s], refs


def _check_overrides(
    out: Collector, unused: dict[str, str], declared: list[str], data: dict[str, Any]
) -> None:
    """A ``--var`` that names no var (or secret) the file declares."""
    where: Loc = ("vars",) if "vars" in data else ()
    for name in unused:
        shown = ", ".join(declared) or "none"
        out.add(
            where,
            f"--var '{name}' names no var of this experiment (declared vars: {shown})",
            suggest(name, declared),
        )


def _resolve(out: Collector, sub: Substituter, value: Any, loc: Loc) -> Any:
    try:
        return sub.resolve(value, loc)
    except SubstitutionError as exc:
        out.add(exc.loc, exc.message, exc.suggestion)
        return value
