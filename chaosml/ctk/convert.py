"""A Chaos Toolkit experiment (a parsed document) → a chaosml v1 experiment (a mapping).

Pure: no file, no network. ``Conversion.run`` returns the experiment, the comments that point
each step to its source, and the report of what was converted natively, what runs through a
compatibility step and what was dropped.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from chaosml.ctk import extensions, providers, tolerance
from chaosml.ctk.report import ConversionReport
from chaosml.errors import Problem, ValidationError
from chaosml.yaml_source import Loc, Source

Step = dict[str, Any]
NAME_CHARS = re.compile(r"[^A-Za-z0-9_]")
BUILTIN_CHECK = "__check__"  # carries a native probe's own check from _python to _probe
REFERENCE = re.compile(r"(?<!\$)\$\{([^}]*)\}")
NOT_CONVERTED = {
    "controls": "not converted: chaosml offers guards (abort on a probe), observe, "
    "Grafana annotations and the Pushgateway observer instead",
    "extensions": "not converted: extension data is Chaos Toolkit's own",
    "contributions": "not converted: chaosml has no contribution scores",
    "runtime": "not converted: chaosml always rolls back and has its own timeouts",
}


@dataclass
class Converted:
    experiment: dict[str, Any]
    comments: dict[Loc, str]  # a step's location in the output → the source it came from
    report: ConversionReport


@dataclass
class Conversion:
    doc: dict[str, Any]
    source: Source
    report: ConversionReport = field(default_factory=ConversionReport)
    vars: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)
    comments: dict[Loc, str] = field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- what extensions.TargetBook asks for
    def add_target(self, stem: str, spec: dict[str, Any]) -> str:
        name = NAME_CHARS.sub("_", stem) or "target"
        for existing, known in self.targets.items():
            if known == spec:
                return existing
        candidate, n = name, 2
        while candidate in self.targets:
            candidate, n = f"{name}_{n}", n + 1
        self.targets[candidate] = spec
        return candidate

    def add_namespace(self, namespace: str) -> None:
        if namespace not in self.namespaces:
            self.namespaces.append(namespace)

    def config_ref(self, key: str, default: str) -> str:
        if key not in self.vars:
            self.vars[key] = default
        return f"${{{key}}}"

    # -- the document
    def run(self) -> Converted:
        self._check_shape()
        self._configuration(self.doc.get("configuration"))
        self._secrets(self.doc.get("secrets"))
        steady = self._steady_state(self.doc.get("steady-state-hypothesis"))
        method = self._steps(self.doc.get("method"), "method")
        method += self._hypothesis_after(steady, len(method))
        rollbacks = self._steps(self.doc.get("rollbacks") or [], "rollbacks")
        self._not_converted()
        experiment = self._assemble(steady, method, rollbacks)
        for key in ("steady_state", "method", "rollbacks", "blast_radius"):
            if key in experiment:
                experiment[key] = self._literal_unknown_refs(experiment[key])
        return Converted(experiment, self.comments, self.report)

    def _literal_unknown_refs(self, value: Any) -> Any:
        """Chaos Toolkit leaves a ``${name}`` it cannot resolve as it is; chaosml would refuse
        it, so it becomes the literal ``$${name}`` (and the report says so)."""
        if isinstance(value, dict):
            return {k: self._literal_unknown_refs(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._literal_unknown_refs(v) for v in value]
        if isinstance(value, str):
            return REFERENCE.sub(self._escape_unknown, value)
        return value

    def _escape_unknown(self, match: re.Match[str]) -> str:
        name = match.group(1)
        if name in self.vars or name in self.secrets or name.startswith("env:"):
            return match.group(0)
        self.report.add(
            f"${{{name}}}",
            "dropped",
            "names no configuration or secret: kept as literal text, as Chaos Toolkit does",
        )
        return f"$${{{name}}}"

    def _check_shape(self) -> None:
        method = self.doc.get("method")
        if not isinstance(method, list):
            self._fail(("method",), "a Chaos Toolkit experiment needs a 'method' list")
        if not isinstance(self.doc.get("title"), str):
            self._fail(("title",), "a Chaos Toolkit experiment needs a 'title' string")

    def _fail(self, loc: Loc, message: str) -> NoReturn:
        raise ValidationError([self.source.problem(loc, message)])

    def _assemble(
        self, steady: list[Step], method: list[Step], rollbacks: list[Step]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"version": 1, "title": self.doc["title"]}
        for key in ("description",):
            if isinstance(self.doc.get(key), str):
                out[key] = self.doc[key]
        raw_tags = self.doc.get("tags")
        tags = (
            [str(t) for t in raw_tags if isinstance(t, str | int)]
            if isinstance(raw_tags, list)
            else []
        )
        out["tags"] = [*tags, "imported:chaostoolkit"]
        if self.vars:
            out["vars"] = self.vars
        if self.secrets:
            out["secrets"] = self.secrets
        if self.targets:
            radius: dict[str, Any] = {"targets": self.targets}
            if self.namespaces:
                radius = {"namespaces": self.namespaces, **radius}
            out["blast_radius"] = radius
        if steady:
            out["steady_state"] = steady
        out["method"] = method or [{"wait": 0}]
        if rollbacks:
            out["rollbacks"] = rollbacks
        return out

    # -- configuration and secrets
    def _mapping(self, value: Any, loc: Loc, message: str) -> dict[Any, Any]:
        """A top-level section that must be a mapping (absent: empty); ``message`` if not."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._fail(loc, message)
        return value

    def _configuration(self, config: Any) -> None:
        mapping = self._mapping(config, ("configuration",), "configuration must be a mapping")
        for name, value in mapping.items():
            self.vars[str(name)] = self._value(value, f"configuration.{name}", secret=False)

    def _secrets(self, secrets: Any) -> None:
        scopes = self._mapping(secrets, ("secrets",), "secrets must be a mapping of scopes")
        for scope, entries in scopes.items():
            if not isinstance(entries, dict):
                self._fail(("secrets", str(scope)), "a secrets scope must be a mapping")
            for name, value in entries.items():
                key = str(name) if str(name) not in self.secrets else f"{scope}_{name}"
                where = f"secrets.{scope}.{name}"
                self.secrets[key] = self._value(value, where, secret=True)

    def _value(self, value: Any, where: str, *, secret: bool) -> Any:
        if not isinstance(value, dict):
            self.report.add(
                where, "native", "a literal value" + (" (kept a secret)" if secret else "")
            )
            return value
        kind = value.get("type")
        if kind == "env" and isinstance(value.get("key"), str):
            ref = f"${{env:{value['key']}}}"
            if "default" in value:
                ref = f"${{env:{value['key']}:-{value['default']}}}"
            self.report.add(where, "native", f"from the environment variable {value['key']}")
            return ref
        name = where.rsplit(".", 1)[-1]
        self.report.add(
            where,
            "dropped",
            f"a {kind or 'structured'} value is not computed by chaosml: give it with "
            f"--var {name}=… or the environment variable CTK_{name.upper()}",
        )
        return f"${{env:CTK_{name.upper()}:-}}"

    # -- steady state, method, rollbacks
    def _steady_state(self, hypothesis: Any) -> list[Step]:
        if hypothesis is None:
            return []
        if not isinstance(hypothesis, dict):
            self._fail(
                ("steady-state-hypothesis",), "the steady-state hypothesis must be a mapping"
            )
        probes = hypothesis.get("probes") or []
        if not isinstance(probes, list):
            self._fail(("steady-state-hypothesis", "probes"), "probes must be a list")
        out: list[Step] = []
        for i, raw in enumerate(probes):
            loc: Loc = ("steady-state-hypothesis", "probes", i)
            activity = self._activity(raw, loc)
            if activity is None:
                continue
            probe = self._probe(activity, loc, in_method=False)
            if probe is not None:
                self.comments[("steady_state", len(out))] = _origin(loc, activity)
                out.append(probe)
        return out

    def _hypothesis_after(self, steady: list[Step], offset: int) -> list[Step]:
        """Chaos Toolkit checks the hypothesis again after the method (a failure: deviated);
        chaosml's steady state is checked before, and in recovery after the rollback. The
        converted method ends with the same probes, so a deviation is one in both tools."""
        if not steady:
            return []
        self.comments[("method", offset)] = (
            "Chaos Toolkit checks the steady-state hypothesis again after the method"
        )
        self.report.add(
            "steady-state-hypothesis",
            "native",
            "checked before the method, again at the end of the method (as Chaos Toolkit "
            "does), and in chaosml's recovery after the rollback",
        )
        return [
            {"probe": {**copy.deepcopy(p), "name": f"{p['name']} (after the method)"}}
            for p in steady
        ]

    def _steps(self, items: Any, section: str) -> list[Step]:
        if not isinstance(items, list):
            self._fail((section,), f"{section} must be a list")
        out: list[Step] = []
        for i, raw in enumerate(items):
            loc: Loc = (section, i)
            activity = self._activity(raw, loc)
            if activity is None:
                continue
            first = len(out)
            out.extend(self._pauses(activity, "before"))
            step = self._step(activity, loc, rollback=section == "rollbacks")
            if step is not None:
                out.append(step)
            out.extend(self._pauses(activity, "after"))
            if len(out) > first:
                self.comments[(_out_section(section), first)] = _origin(loc, activity)
        return out

    def _activity(self, raw: Any, loc: Loc) -> dict[str, Any] | None:
        if isinstance(raw, dict) and set(raw) == {"ref"}:
            found = self.activities.get(str(raw["ref"]))
            if found is None:
                self._fail(loc, f"ref {raw['ref']!r} names no earlier probe or action")
            return copy.deepcopy(found)
        if not isinstance(raw, dict) or not isinstance(raw.get("provider"), dict):
            self._fail(loc, "an activity must be a mapping with a 'provider' mapping")
        assert isinstance(raw, dict)
        if raw.get("type") not in ("probe", "action"):
            self._fail((*loc, "type"), "an activity's type must be 'probe' or 'action'")
        if isinstance(raw.get("name"), str):
            self.activities[raw["name"]] = raw
        if raw.get("controls"):
            self.report.add(_where(loc, raw), "dropped", "controls " + NOT_CONVERTED["controls"])
        return raw

    def _pauses(self, activity: dict[str, Any], when: str) -> list[Step]:
        pauses = activity.get("pauses")
        seconds = pauses.get(when) if isinstance(pauses, dict) else None
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
            return [{"wait": float(seconds)}]
        return []

    def _step(self, activity: dict[str, Any], loc: Loc, *, rollback: bool) -> Step | None:
        where = _where(loc, activity)
        if activity["type"] == "probe" and not rollback:
            probe = self._probe(activity, loc, in_method=True)
            return None if probe is None else {"probe": probe}
        if activity["type"] == "probe":
            self.report.add(
                where, "dropped", "a probe among the rollbacks: chaosml rollbacks are actions"
            )
            return None
        return self._action(activity, loc, rollback=rollback)

    def _probe(self, activity: dict[str, Any], loc: Loc, *, in_method: bool) -> Step | None:
        where = _where(loc, activity)
        provider = activity["provider"]
        kind, params, ptype = self._probe_driver(provider, where)
        if kind is None:
            return None
        probe: Step = {"name": str(activity.get("name") or f"probe {loc[-1]}"), kind: params}
        builtin = params.pop(BUILTIN_CHECK, None)
        if builtin is not None and activity.get("tolerance", True) is True:
            probe["expect"] = builtin  # the function's own check (it raises when not met)
            self.report.add(where, "native", f"the function's own check: {builtin}")
        elif "tolerance" in activity:
            result = tolerance.convert(activity["tolerance"], ptype)
            self.report.add(where, result.outcome, f"tolerance: {result.text}")
            if result.expect:
                probe["expect"] = result.expect
            if result.measure:
                params["measure"] = result.measure
        if in_method:
            probe["tolerate_failure"] = (
                True  # Chaos Toolkit records a method probe, never fails on it
            )
        if activity.get("background"):
            self.report.add(
                where, "dropped", "background: a probe runs in the foreground in chaosml"
            )
        return probe

    def _probe_driver(
        self, provider: dict[str, Any], where: str
    ) -> tuple[str | None, dict[str, Any], str]:
        ptype = str(provider.get("type"))
        if ptype == "http":
            return (
                "http",
                self._provider_params(providers.http_params(provider), where, "HTTP probe"),
                ptype,
            )
        if ptype == "process":
            return (
                "process",
                self._provider_params(providers.process_params(provider), where, "command probe"),
                ptype,
            )
        if ptype == "python":
            return self._python(provider, where, head="probe")
        self.report.add(where, "dropped", f"provider type {ptype!r} is not one Chaos Toolkit has")
        return None, {}, ptype

    def _provider_params(self, conv: providers.Converted, where: str, what: str) -> dict[str, Any]:
        self.report.add(where, "native", what)
        for outcome, text in conv.notes:
            self.report.add(where, outcome, text)
        return conv.params

    def _python(
        self, provider: dict[str, Any], where: str, *, head: str
    ) -> tuple[str | None, dict[str, Any], str]:
        module, func = str(provider.get("module", "")), str(provider.get("func", ""))
        args = provider.get("arguments") or {}
        native = self._native(module, func, args, where)
        if native is not None:
            if native.expect is not None:
                native.params[BUILTIN_CHECK] = native.expect
            if native.head == head or (head == "action" and native.head == "fault"):
                self.report.add(
                    where, "native", f"{module}.{func} → {native.kind or 'automatic undo'}"
                )
                for outcome, text in native.notes:
                    self.report.add(where, outcome, text)
                return (
                    native.kind,
                    native.params,
                    "python" if native.kind != "prometheus" else "prometheus",
                )
        call = {"call": f"{module}:{func}", "args": args}
        self.report.add(
            where,
            "compat",
            f"{module}.{func} is called as it is (python {head}): "
            "needs --allow-python and the module installed",
        )
        return "python", call, "python"

    def _native(self, module: str, func: str, args: Any, where: str) -> extensions.Native | None:
        """The native step for a well-known function, or None (then: compatibility)."""
        builder = extensions.lookup(module, func)
        if builder is None or not isinstance(args, dict):
            return None
        try:
            return builder(args, self)
        except (TypeError, ValueError) as exc:
            self.report.add(
                where,
                "dropped",
                f"{module}.{func}: arguments chaosml cannot read ({exc}); called as it is instead",
            )
            return None

    def _action(self, activity: dict[str, Any], loc: Loc, *, rollback: bool) -> Step | None:
        where = _where(loc, activity)
        provider = activity["provider"]
        ptype = str(provider.get("type"))
        step: Step
        if ptype == "http":
            params = self._provider_params(providers.http_params(provider), where, "HTTP request")
            step = {"action": "http.request", **params}
        elif ptype == "process":
            params = self._provider_params(providers.process_params(provider), where, "command")
            step = {"action": "process.run", **params}
        elif ptype == "python":
            step = self._python_action(provider, where, rollback=rollback) or {}
            if not step:
                return None
        else:
            self.report.add(
                where, "dropped", f"provider type {ptype!r} is not one Chaos Toolkit has"
            )
            return None
        if isinstance(activity.get("name"), str):
            step["name"] = activity["name"]
        self._background(activity, step, where)
        return step

    def _python_action(
        self, provider: dict[str, Any], where: str, *, rollback: bool
    ) -> Step | None:
        module, func = str(provider.get("module", "")), str(provider.get("func", ""))
        args = provider.get("arguments") or {}
        native = self._native(module, func, args, where)
        if native is not None:
            if native.covered_by_undo:
                self.report.add(
                    where, "native", f"{module}.{func}: chaosml's automatic undo does this"
                )
                return None
            if native.head in ("fault", "action"):
                self.report.add(where, "native", f"{module}.{func} → {native.kind}")
                for outcome, text in native.notes:
                    self.report.add(where, outcome, text)
                head = "action" if rollback else native.head  # a fault kind runs as an action
                return {head: native.kind, **native.params}
        self.report.add(
            where,
            "compat",
            f"{module}.{func} is called as it is (python.call): needs --allow-python and the "
            "module installed",
        )
        return {"action": "python.call", "call": f"{module}:{func}", "args": args}

    def _background(self, activity: dict[str, Any], step: Step, where: str) -> None:
        if not activity.get("background"):
            return
        if "fault" in step:
            step["background"] = True
            self.report.add(where, "native", "background: true")
        else:
            self.report.add(
                where, "dropped", "background: only a fault runs in the background in chaosml"
            )

    def _not_converted(self) -> None:
        for key, text in NOT_CONVERTED.items():
            if self.doc.get(key):
                self.report.add(key, "dropped", text)
        if self.doc.get("rollbacks"):
            self.report.add(
                "rollbacks", "native", "kept; chaosml's automatic undo of every fault runs first"
            )


def _out_section(section: str) -> str:
    return {"method": "method", "rollbacks": "rollbacks"}[section]


def _where(loc: Loc, activity: dict[str, Any]) -> str:
    from chaosml.yaml_source import render_loc

    name = activity.get("name")
    return f"{render_loc(loc)} {name!r}" if isinstance(name, str) else render_loc(loc)


def _origin(loc: Loc, activity: dict[str, Any]) -> str:
    provider = activity.get("provider") or {}
    what = provider.get("type", "?")
    if what == "python":
        what = f"python {provider.get('module')}.{provider.get('func')}"
    return f"from Chaos Toolkit {_where(loc, activity)} ({activity.get('type')}, {what})"


def convert(source: Source) -> Converted:
    """Convert the document of ``source`` (a Chaos Toolkit experiment), or a located error."""
    if not isinstance(source.data, dict):
        raise ValidationError([Problem("", "a Chaos Toolkit experiment is a mapping", source.file)])
    return Conversion(source.data, source).run()
