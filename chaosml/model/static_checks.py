"""The checks of an experiment that need nothing but the file: every target a step or probe
names is declared, every Kubernetes namespace is in the allow-list, and the longest possible run
fits ``max_duration``.

One function for both callers: the loader reports them as located problems (so ``validate`` and
``run`` refuse the same files), and the blast-radius phase repeats them for experiments built
without the loader.
"""

from __future__ import annotations

from collections.abc import Iterator

from chaosml.durations import format_duration
from chaosml.model import experiment as m
from chaosml.yaml_source import Loc


def static_problems(exp: m.Experiment) -> list[tuple[Loc, str]]:
    """Each problem with the location of the key that causes it."""
    return [*_undeclared_targets(exp), *_outside_namespaces(exp), *_over_budget(exp)]


def _outside_namespaces(exp: m.Experiment) -> Iterator[tuple[Loc, str]]:
    """Every Kubernetes namespace a target or fault names is in ``blast_radius.namespaces``."""
    allowed = exp.blast_radius.namespaces
    if allowed is None:
        return
    named: list[tuple[Loc, str, object]] = [
        (("blast_radius", "targets", n), f"target '{n}'", t.selector)
        for n, t in exp.blast_radius.targets.items()
    ]
    named += [
        (("method", i), f"step '{s.label}'", s.params)
        for i, s in enumerate(exp.method)
        if isinstance(s, m.FaultStep)
    ]
    for loc, where, params in named:
        namespace = getattr(params, "namespace", None)
        if isinstance(namespace, str) and namespace not in allowed:
            yield (
                (*loc, "namespace"),
                f"{where}: namespace '{namespace}' is not in blast_radius.namespaces "
                f"(allowed: {', '.join(allowed)})",
            )


def _undeclared_targets(exp: m.Experiment) -> Iterator[tuple[Loc, str]]:
    declared = set(exp.blast_radius.targets)
    shown = ", ".join(sorted(declared)) or "none"
    for loc, params in _params(exp):
        name = getattr(params, "target", None)
        if isinstance(name, str) and name not in declared:
            yield (
                (*loc, "target"),
                f"target '{name}' is not declared in blast_radius.targets (declared: {shown})",
            )


def _params(exp: m.Experiment) -> Iterator[tuple[Loc, object]]:
    """Every step's and probe's driver parameters, with where they are written."""
    for section, steps in (("method", exp.method), ("rollbacks", exp.rollbacks)):
        for index, step in enumerate(steps):
            if isinstance(step, m.FaultStep | m.ActionStep):
                yield (section, index), step.params
            elif isinstance(step, m.ProbeStep):
                yield (section, index, "probe", step.probe.kind), step.probe.params
    probes = (("steady_state",), exp.steady_state), (("guards",), exp.guards)
    observed = (("observe", "metrics"), exp.observe.metrics if exp.observe else [])
    for prefix, specs in (*probes, observed):
        for index, spec in enumerate(specs):
            yield (*prefix, index, spec.kind), spec.params


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
    if isinstance(step, m.ExpectNotificationStep):
        return step.expect_notification.within
    if isinstance(step, m.ProbeStep):
        return step.probe.timeout
    if isinstance(step, m.FaultStep):
        return step.timeout + (0 if step.background else step.duration or 0)
    return step.timeout


def _over_budget(exp: m.Experiment) -> Iterator[tuple[Loc, str]]:
    limit = exp.blast_radius.max_duration
    worst = worst_case_seconds(exp)
    if limit is not None and worst > limit:
        yield (
            ("blast_radius", "max_duration"),
            f"the experiment can take up to {format_duration(worst)}, above max_duration "
            f"{format_duration(limit)} (waits, alert timeouts, step and probe timeouts, recovery)",
        )
