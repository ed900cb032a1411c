"""Refuse or resolve: everything checked before anything changes (exit 2 on refusal)."""

from __future__ import annotations

import os
from pathlib import Path

from chaosml.drivers.base import ResolvedTarget
from chaosml.drivers.registry import Registry
from chaosml.durations import format_duration
from chaosml.engine import halt
from chaosml.engine.selection import select
from chaosml.engine.state import RunOptions
from chaosml.errors import RefusedError
from chaosml.model import experiment as m

ENV_VAR = "CHAOSML_ENV"


def environment(options: RunOptions) -> str | None:
    return options.environment or os.environ.get(ENV_VAR) or None


def check_static(exp: m.Experiment, options: RunOptions) -> None:
    """Checks that need no backend: halt, environment, python, target names, duration."""
    halt_path = options.halt_file or halt.halt_file()
    if halt.is_halted(halt_path):
        raise RefusedError(
            f"the halt switch is on ({halt_path}): {halt.halt_reason(halt_path)}",
            hint="clear it with 'chaosml halt --clear' once it is safe",
        )
    _check_environment(exp, environment(options))
    if not options.allow_python and _uses_python(exp):
        raise RefusedError("this experiment has a python probe: start the run with --allow-python")
    _check_target_names(exp)
    _check_namespaces(exp)
    _check_duration(exp)


def _check_environment(exp: m.Experiment, env: str | None) -> None:
    allowed = exp.blast_radius.environments
    if allowed is None:
        return
    if env is None:
        raise RefusedError(
            f"no environment given; this experiment may run in: {', '.join(allowed)}",
            hint=f"pass --env or set {ENV_VAR}",
        )
    if env not in allowed:
        raise RefusedError(f"environment '{env}' is not allowed (allowed: {', '.join(allowed)})")


def _all_probes(exp: m.Experiment) -> list[m.ProbeSpec]:
    probes = [*exp.steady_state, *exp.guards, *(exp.observe.metrics if exp.observe else [])]
    return probes + [s.probe for s in exp.method if isinstance(s, m.ProbeStep)]


def _uses_python(exp: m.Experiment) -> bool:
    return any(p.kind == "python" for p in _all_probes(exp))


def _check_target_names(exp: m.Experiment) -> None:
    declared = set(exp.blast_radius.targets)
    params = [
        s.params for s in [*exp.method, *exp.rollbacks] if isinstance(s, m.FaultStep | m.ActionStep)
    ]
    params += [p.params for p in _all_probes(exp)]
    for p in params:
        name = getattr(p, "target", None)
        if isinstance(name, str) and name not in declared:
            shown = ", ".join(sorted(declared)) or "none"
            raise RefusedError(
                f"target '{name}' is not declared in blast_radius.targets (declared: {shown})"
            )


def _check_namespaces(exp: m.Experiment) -> None:
    """Every Kubernetes namespace a target or step names is in ``blast_radius.namespaces``."""
    allowed = exp.blast_radius.namespaces
    if allowed is None:
        return
    named = [(f"target '{n}'", t.selector) for n, t in exp.blast_radius.targets.items()]
    named += [(f"step '{s.label}'", s.params) for s in exp.method if isinstance(s, m.FaultStep)]
    for where, params in named:
        namespace = getattr(params, "namespace", None)
        if isinstance(namespace, str) and namespace not in allowed:
            raise RefusedError(
                f"{where}: namespace '{namespace}' is not in blast_radius.namespaces "
                f"(allowed: {', '.join(allowed)})"
            )


def worst_case_seconds(exp: m.Experiment) -> float:
    """The longest the run can take: steady state, method, recovery (probes at their timeouts)."""
    total = max((p.timeout for p in exp.steady_state), default=0.0)
    for step in exp.method:
        total += _step_seconds(step)
    total += sum(a.timeout for a in exp.rollbacks)
    if exp.recovery:
        total += exp.recovery.within
    return total


def _step_seconds(step: m.Step) -> float:
    if isinstance(step, m.WaitStep):
        return step.wait
    if isinstance(step, m.ExpectAlertStep):
        return step.expect_alert.fires_within
    if isinstance(step, m.ProbeStep):
        return step.probe.timeout
    if isinstance(step, m.FaultStep):
        return step.timeout + (0 if step.background else step.duration or 0)
    return step.timeout


def _check_duration(exp: m.Experiment) -> None:
    limit = exp.blast_radius.max_duration
    if limit is None:
        return
    worst = worst_case_seconds(exp)
    if worst > limit:
        raise RefusedError(
            f"the experiment can take up to {format_duration(worst)}, above max_duration "
            f"{format_duration(limit)} (waits, alert timeouts, step and probe timeouts, recovery)"
        )


def resolve_targets(
    exp: m.Experiment, registry: Registry, ctx_factory: object, seed: int
) -> dict[str, ResolvedTarget]:
    """Select every target's members (the target drivers talk to their backends here)."""
    from chaosml.drivers.base import DriverContext

    assert isinstance(ctx_factory, DriverContext)
    resolved = {}
    for name, spec in exp.blast_radius.targets.items():
        candidates = registry.target(spec.kind).candidates(spec.selector, ctx_factory)
        resolved[name] = select(name, spec, candidates, seed)
    return resolved


def halt_path(options: RunOptions) -> Path:
    return options.halt_file or halt.halt_file()
