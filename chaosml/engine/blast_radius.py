"""Refuse or resolve: everything checked before anything changes (exit 2 on refusal)."""

from __future__ import annotations

import os

from chaosml.contract.targets import ResolvedTarget
from chaosml.drivers.registry import Registry
from chaosml.engine import halt
from chaosml.engine.state import RunOptions
from chaosml.errors import RefusedError
from chaosml.halt.board import HaltBoard
from chaosml.model import experiment as m
from chaosml.model.python_calls import python_modules
from chaosml.model.selection import select
from chaosml.model.static_checks import static_problems, worst_case_seconds

__all__ = ["check_static", "environment", "resolve_targets", "worst_case_seconds"]

ENV_VAR = "CHAOSML_ENV"


def environment(options: RunOptions) -> str | None:
    return options.environment or os.environ.get(ENV_VAR) or None


def check_static(exp: m.Experiment, options: RunOptions, board: HaltBoard | None = None) -> None:
    """Checks that need no backend: halt, environment, python, target names, duration."""
    halt.refuse_if_halted((board or halt.board_for(options, exp)).reading())
    _check_environment(exp, environment(options))
    if not options.allow_python and _uses_python(exp):
        raise RefusedError(
            "this experiment has a python probe or python.call step: "
            "start the run with --allow-python"
        )
    _check_file(exp)


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


def _uses_python(exp: m.Experiment) -> bool:
    return bool(python_modules(exp))


def _check_file(exp: m.Experiment) -> None:
    """The checks ``validate`` makes too (the loader reports them located)."""
    for _, message in static_problems(exp):
        raise RefusedError(message)


def resolve_targets(
    exp: m.Experiment, registry: Registry, ctx_factory: object, seed: int
) -> dict[str, ResolvedTarget]:
    """Select every target's members (the target drivers talk to their backends here)."""
    from chaosml.contract.context import DriverContext

    assert isinstance(ctx_factory, DriverContext)
    resolved = {}
    for name, spec in exp.blast_radius.targets.items():
        candidates = registry.target(spec.kind).candidates(spec.selector, ctx_factory)
        resolved[name] = select(name, spec, candidates, seed)
    return resolved
