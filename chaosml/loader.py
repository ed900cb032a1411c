"""YAML/JSON → a validated Experiment; every problem with file:line:col and key path, all at once.

Nothing is executed here. Probe and step dictionaries are split into the keys the engine owns
(validated by the model's *Head classes) and the driver's parameters (validated by the driver's
``params_model``), so a misspelled key anywhere is an error with a "did you mean".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from chaosml import redaction
from chaosml.contract import connection
from chaosml.contract.catalogue import Role
from chaosml.contract.params import Params
from chaosml.ctk.detect import is_ctk
from chaosml.drivers.registry import Registry, default_registry
from chaosml.errors import Problem, ValidationError
from chaosml.model import experiment as m
from chaosml.model.loaded import Loaded
from chaosml.model.problems import Collector, suggest
from chaosml.model.static_checks import static_problems
from chaosml.sensitivity import sections
from chaosml.substitution import SecretRefs, Substituter, SubstitutionError, secret_refs
from chaosml.substitution_budget import BoundedSubstituter
from chaosml.yaml_source import Loc, Source, parse_text, read_source

TOP_KEYS = list(m.Experiment.model_fields)
STEP_KINDS = ("fault", "action", "probe", "wait", "expect_alert", "expect_notification")


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
    builder = _Builder(source, registry or default_registry(), strict_vars)
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else type(source.data).__name__
        builder.out.add((), f"an experiment must be a mapping of keys, got {kind}")
        raise ValidationError(builder.out.problems)
    if is_plan(source.data):
        builder.out.add((), f"this is a game day plan: chaosml gameday {source.file}")
        raise ValidationError(builder.out.problems)
    if is_ctk(source.data):
        builder.out.add((), f"this is a Chaos Toolkit experiment: chaosml import {source.file}")
        raise ValidationError(builder.out.problems)
    doc, secrets = builder.substitute(
        source.data, dict(overrides or {}), os.environ if environ is None else environ
    )
    secrets += connection.secrets_in(doc)  # passwords and tokens of sources
    redaction.remember(secrets)  # before validation: its messages quote values
    folder = _folder(source.file)
    with connection.declared({}, folder):
        declared = builder.sources(doc)
    with connection.declared(declared, folder):
        experiment = builder.experiment(doc)
    if builder.out.problems or experiment is None:
        raise ValidationError(_without_cascades(builder.out.problems))
    return Loaded(experiment, source.file, secrets, doc, builder.secret_refs)


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


class _Builder:
    def __init__(self, source: Source, registry: Registry, strict_vars: bool = True) -> None:
        self.out = Collector(source)
        self.registry = registry
        self.secret_refs = SecretRefs()
        self.strict_vars = strict_vars
        self.connections: dict[str, connection.Connection] = {}

    # -- substitution -------------------------------------------------------------------------
    def substitute(
        self, data: dict[str, Any], overrides: dict[str, str], environ: Mapping[str, str]
    ) -> tuple[dict[str, Any], list[str]]:
        sub = BoundedSubstituter(environ)
        given = dict(overrides)  # before they are used up: a --var secret has no env source
        sections: dict[str, dict[str, Any]] = {}
        for section in ("vars", "secrets"):
            values = data.get(section) or {}
            if not isinstance(values, dict):
                self.out.add((section,), f"'{section}' must be a mapping of names to values")
                values = {}
            sections[section] = values
            for name, value in values.items():
                resolved = self._resolve(sub, value, (section, name))
                sub.values[name] = overrides.pop(name, resolved)
        if self.strict_vars:
            self._check_overrides(overrides, list(sections["vars"]), data)
        else:
            sub.values.update(overrides)
        secrets = [str(sub.values[k]) for k in sections["secrets"] if k in sub.values]
        self.secret_refs = secret_refs(sections["secrets"], sub.values, given)
        body = {k: v for k, v in data.items() if k not in ("vars", "secrets")}
        doc = self._resolve(sub, body, ())
        doc["vars"] = {k: sub.values.get(k) for k in sections["vars"]}
        doc["secrets"] = {k: "***" for k in sections["secrets"]}
        return doc, [s for s in secrets if s]

    def _check_overrides(
        self, unused: dict[str, str], declared: list[str], data: dict[str, Any]
    ) -> None:
        """A ``--var`` that names no var (or secret) the file declares."""
        where: Loc = ("vars",) if "vars" in data else ()
        for name in unused:
            shown = ", ".join(declared) or "none"
            self.out.add(
                where,
                f"--var '{name}' names no var of this experiment (declared vars: {shown})",
                suggest(name, declared),
            )

    def _resolve(self, sub: Substituter, value: Any, loc: Loc) -> Any:
        try:
            return sub.resolve(value, loc)
        except SubstitutionError as exc:
            self.out.add(exc.loc, exc.message, exc.suggestion)
            return value

    # -- the sources connection blocks name ---------------------------------------------------
    def sources(self, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """The validated ``sources:`` section, as blocks that a ``url: NAME`` takes."""
        data = doc.get("sources")
        if data is None:
            return {}
        found = self._mapping(data, ("sources",), "'sources'") or {}
        built = {
            str(name): self.out.validate(connection.Connection, _as_block(block), ("sources", name))
            for name, block in found.items()
        }
        self.connections = {n: c for n, c in built.items() if c is not None}
        return {n: c.model_dump(exclude_none=True) for n, c in self.connections.items()}

    # -- the whole experiment -----------------------------------------------------------------
    def experiment(self, doc: dict[str, Any]) -> m.Experiment | None:
        for key in doc:
            if key not in TOP_KEYS:
                self.out.unknown_key((), key, TOP_KEYS, "section")
        simple = {k: doc[k] for k in ("version", "title", "description", "tags") if k in doc}
        head = self.out.validate(_Head, simple, ())
        method: list[m.Step] = self._list(doc, "method", self.step)
        built: dict[str, Any] = {
            "blast_radius": self.blast_radius(doc.get("blast_radius")),
            "proxies": self._list(doc, "proxies", self.proxy),
            "steady_state": self._list(doc, "steady_state", self.probe),
            "guards": self._list(doc, "guards", self.probe),
            "observe": self.observe(doc.get("observe")),
            "method": method,
            "rollbacks": self._list(doc, "rollbacks", self.rollback),
            "sources": self.connections,
        }
        built["recovery"] = self.recovery(doc.get("recovery"), method)
        built.update(sections.build(self, doc, method))  # sensitivity, impact, expect_no_alert
        if doc.get("method") is None:
            self.out.add(("method",), "missing required section 'method' (the faults to inject)")
        elif isinstance(doc["method"], list) and not doc["method"]:
            self.out.add(("method",), "the method needs at least one step")
        if head is None or self.out.problems:
            return None
        _add_implied_targets(built)
        fields = {**head.model_dump(), "vars": doc["vars"], "secrets": doc["secrets"], **built}
        experiment = self.out.validate(m.Experiment, fields, ())
        for loc, message in static_problems(experiment) if experiment else []:
            self.out.add(loc, message)
        return experiment

    def _list(self, doc: dict[str, Any], key: str, build: Any) -> list[Any]:
        items = doc.get(key)
        if items is None:
            return []
        if not isinstance(items, list):
            self.out.add((key,), f"'{key}' must be a list, got {type(items).__name__}")
            return []
        results = [build(item, (key, i)) for i, item in enumerate(items)]
        return [r for r in results if r is not None]

    def _mapping(self, data: Any, loc: Loc, what: str) -> dict[str, Any] | None:
        if isinstance(data, dict):
            return data
        shown = redaction.clip(repr(data), 40, "")
        self.out.add(loc, f"{what} must be a mapping, got {type(data).__name__} {shown}")
        return None

    # -- probes -------------------------------------------------------------------------------
    def probe(self, data: Any, loc: Loc) -> m.ProbeSpec | None:
        data = self._mapping(data, loc, "a probe")
        if data is None:
            return None
        head_keys = list(m.ProbeHead.model_fields)
        kind = self._driver_key(data, loc, "probe", head_keys)
        head = self.out.validate(
            m.ProbeHead, {k: v for k, v in data.items() if k in head_keys}, loc
        )
        if kind is None:
            return None
        params = self._params("probe", kind, data[kind], (*loc, kind))
        if head is None or params is None:
            return None
        return m.ProbeSpec(kind=kind, params=params, **head.model_dump())

    def _driver_key(
        self, data: dict[str, Any], loc: Loc, role: Role, head_keys: list[str]
    ) -> str | None:
        kinds = self.registry.kinds(role)
        rest = [k for k in data if k not in head_keys]
        found = [k for k in rest if k in kinds]
        for key in rest:
            if key not in kinds:
                self.out.unknown_key(loc, key, head_keys + kinds)
        if len(found) > 1:
            self.out.add(loc, f"a {role} has exactly one kind, found {' and '.join(found)}")
        if not rest:
            self.out.add(loc, f"missing the {role} kind: one of {', '.join(kinds)}")
        return found[0] if len(found) == 1 else None

    def _params(self, role: Role, kind: str, data: Any, loc: Loc) -> Params | None:
        model = self.registry.driver_class(role, kind).params_model
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.out.add(loc, f"'{kind}' takes a mapping of parameters, got {type(data).__name__}")
            return None
        return self.out.validate(model, data, loc)

    # -- method steps ------------------------------------------------------------------------
    def step(self, data: Any, loc: Loc) -> m.Step | None:
        data = self._mapping(data, loc, "a method step")
        if data is None:
            return None
        kinds = [k for k in STEP_KINDS if k in data]
        if len(kinds) != 1:
            shown = " and ".join(kinds) if kinds else "none"
            guess = next(
                (suggest(k, list(STEP_KINDS)) for k in data if suggest(k, list(STEP_KINDS))), None
            )
            self.out.add(
                loc, f"a step needs exactly one of {', '.join(STEP_KINDS)} (found {shown})", guess
            )
            return None
        return getattr(self, f"_step_{kinds[0]}")(data, loc)  # type: ignore[no-any-return]

    def _step_fault(self, data: dict[str, Any], loc: Loc) -> m.FaultStep | None:
        step: m.FaultStep | None = self._driver_step(data, loc, "fault", m.FaultHead, m.FaultStep)
        return step

    def _step_action(self, data: dict[str, Any], loc: Loc) -> m.ActionStep | None:
        step: m.ActionStep | None = self._driver_step(
            data, loc, "action", m.ActionHead, m.ActionStep
        )
        return step

    def _driver_step(
        self, data: dict[str, Any], loc: Loc, key: str, head_model: type[BaseModel], step_model: Any
    ) -> Any:
        kind = data[key]
        roles: tuple[Role, ...] = ("fault",) if key == "fault" else ("action", "fault")
        role = next(
            (r for r in roles if isinstance(kind, str) and self.registry.has(r, kind)), None
        )
        head_keys = list(head_model.model_fields)
        head = self.out.validate(head_model, {k: v for k, v in data.items() if k in head_keys}, loc)
        if role is None:
            known = sorted({k for r in roles for k in self.registry.kinds(r)})
            self.out.add(
                (*loc, key),
                f"unknown {key} '{kind}' (installed: {', '.join(known)})",
                suggest(str(kind), known),
            )
            return None
        rest = {k: v for k, v in data.items() if k not in (*head_keys, key)}
        rest = self._drop_misspelled_heads(rest, loc, role, kind, head_keys)
        params = self._params(role, kind, rest, loc)
        if head is None or params is None:
            return None
        return step_model(**{key: kind}, params=params, **head.model_dump())

    def _drop_misspelled_heads(
        self, rest: dict[str, Any], loc: Loc, role: Role, kind: str, head_keys: list[str]
    ) -> dict[str, Any]:
        """Report keys close to a step key (``durration``) with a suggestion, not as params."""
        fields = self.registry.driver_class(role, kind).params_model.model_fields
        out = {}
        for key, value in rest.items():
            close = suggest(key, head_keys) if key not in fields else None
            if close and not suggest(key, list(fields)):
                self.out.add((*loc, key), f"unknown key '{key}'", close)
            else:
                out[key] = value
        return out

    def _step_probe(self, data: dict[str, Any], loc: Loc) -> m.ProbeStep | None:
        self._only(data, loc, "probe")
        spec = self.probe(data["probe"], (*loc, "probe"))
        return m.ProbeStep(probe=spec) if spec else None

    def _step_wait(self, data: dict[str, Any], loc: Loc) -> m.WaitStep | None:
        self._only(data, loc, "wait")
        return self.out.validate(m.WaitStep, {"wait": data["wait"]}, loc)

    def _step_expect_alert(self, data: dict[str, Any], loc: Loc) -> m.ExpectAlertStep | None:
        self._only(data, loc, "expect_alert")
        alert = self.out.validate(m.ExpectAlert, data["expect_alert"], (*loc, "expect_alert"))
        if alert is not None:
            self._check_source(alert.source, (*loc, "expect_alert", "source"))
        return m.ExpectAlertStep(expect_alert=alert) if alert else None

    def _step_expect_notification(
        self, data: dict[str, Any], loc: Loc
    ) -> m.ExpectNotificationStep | None:
        self._only(data, loc, "expect_notification")
        key = "expect_notification"
        found = self.out.validate(m.ExpectNotification, data[key], (*loc, key))
        return m.ExpectNotificationStep(expect_notification=found) if found else None

    def _only(self, data: dict[str, Any], loc: Loc, key: str) -> None:
        for extra in data:
            if extra != key:
                self.out.unknown_key(loc, extra, [key])

    def _check_source(self, source: m.AlertSource, loc: Loc) -> None:
        given = [k for k in ("prometheus", "alertmanager") if getattr(source, k)]
        if len(given) != 1:
            self.out.add(
                loc, "give exactly one alert source: {prometheus: URL} or {alertmanager: URL}"
            )

    def rollback(self, data: Any, loc: Loc) -> m.ActionStep | None:
        data = self._mapping(data, loc, "a rollback step")
        if data is None:
            return None
        if "action" not in data:
            self.out.add(
                loc, "rollbacks take only 'action' steps (faults undo themselves)", "action"
            )
            return None
        return self._step_action(data, loc)

    # -- sections ----------------------------------------------------------------------------
    def blast_radius(self, data: Any) -> m.BlastRadius:
        if data is None:
            return m.BlastRadius()
        data = self._mapping(data, ("blast_radius",), "'blast_radius'")
        if data is None:
            return m.BlastRadius()
        plain = {k: v for k, v in data.items() if k != "targets"}
        radius = self.out.validate(m.BlastRadius, plain, ("blast_radius",)) or m.BlastRadius()
        targets = (
            self._mapping(data.get("targets") or {}, ("blast_radius", "targets"), "'targets'") or {}
        )
        built = {
            name: self.target(spec, ("blast_radius", "targets", name))
            for name, spec in targets.items()
        }
        ok = {name: t for name, t in built.items() if t is not None}
        return radius.model_copy(update={"targets": ok})

    def target(self, data: Any, loc: Loc) -> m.TargetSpec | None:
        data = self._mapping(data, loc, "a target")
        if data is None:
            return None
        limit_keys = list(m.TargetLimits.model_fields)
        kind = self._driver_key(data, loc, "target", limit_keys)
        limits = self.out.validate(
            m.TargetLimits, {k: v for k, v in data.items() if k in limit_keys}, loc
        )
        if kind is None:
            return None
        selector = self._params("target", kind, data[kind], (*loc, kind))
        if limits is None or selector is None:
            return None
        return m.TargetSpec(kind=kind, selector=selector, **limits.model_dump())

    def observe(self, data: Any) -> m.Observe | None:
        if data is None:
            return None
        data = self._mapping(data, ("observe",), "'observe'")
        if data is None:
            return None
        head = self.out.validate(
            m.Observe, {k: v for k, v in data.items() if k != "metrics"}, ("observe",)
        )
        metrics = self._list(data, "metrics", lambda d, loc: self.probe(d, ("observe", *loc)))
        return head.model_copy(update={"metrics": metrics}) if head else None

    def proxy(self, data: Any, loc: Loc) -> m.EphemeralProxy | None:
        return self.out.validate(m.EphemeralProxy, data, loc)

    def recovery(self, data: Any, method: list[m.Step]) -> m.Recovery | None:
        if data is None:
            return None
        data = self._mapping(data, ("recovery",), "'recovery'")
        if data is None:
            return None
        alerts = data.get("alerts_resolve") or []
        if not isinstance(alerts, list):
            self.out.add(
                ("recovery", "alerts_resolve"), "'alerts_resolve' must be a list of alert names"
            )
            alerts = []
        plain = {k: v for k, v in data.items() if k != "alerts_resolve"}
        head = self.out.validate(m.Recovery, plain, ("recovery",))
        resolved = [
            self._resolve_alert(a, ("recovery", "alerts_resolve", i), method)
            for i, a in enumerate(alerts)
        ]
        ok = [r for r in resolved if r is not None]
        return head.model_copy(update={"alerts_resolve": ok}) if head else None

    def _resolve_alert(self, data: Any, loc: Loc, method: list[m.Step]) -> m.ResolveAlert | None:
        spec = self.out.validate(
            m.ResolveAlert, {"name": data} if isinstance(data, str) else data, loc
        )
        if spec is None or spec.source is not None:
            return spec
        for step in method:
            if isinstance(step, m.ExpectAlertStep) and step.expect_alert.name == spec.name:
                return spec.model_copy(
                    update={
                        "source": step.expect_alert.source,
                        "labels": spec.labels or step.expect_alert.labels,
                    }
                )
        self.out.add(
            loc,
            f"alert '{spec.name}' has no source: add source: {{prometheus: URL}} "
            "or expect it in the method",
        )
        return None


def _as_block(value: Any) -> Any:
    """A source given as a bare URL is the block ``{url: URL}``."""
    return {"url": value} if isinstance(value, str) else value


def _add_implied_targets(built: dict[str, Any]) -> None:
    """A step whose params imply a target of their own (``process.kill`` with an inline
    ``pattern``) gets it declared in the blast radius, named after the step (``method[0]``),
    so that it is resolved, limited, journaled and locked like any declared target."""
    targets = dict(built["blast_radius"].targets)
    for section in ("method", "rollbacks"):
        steps = list(built[section])
        for index, step in enumerate(steps):
            hook = getattr(step, "params", None) and getattr(step.params, "implied_target", None)
            implied = hook() if callable(hook) else None
            if isinstance(implied, m.TargetSpec):
                name = f"{section}[{index}]"
                targets[name] = implied
                params = step.params.model_copy(update={"target": name})
                steps[index] = step.model_copy(update={"params": params})
        built[section] = steps
    built["blast_radius"] = built["blast_radius"].model_copy(update={"targets": targets})


class _Head(m.Strict):
    version: Literal[1]
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
