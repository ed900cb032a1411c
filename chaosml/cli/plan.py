"""``--dry-run``: the plan — which targets, which faults, in which order, when — then the verdict.

A dry run makes the checks ``run`` makes before it touches anything (halt, environment,
targets, duration budget) and writes nothing: no journal, no target lock, no file. The plan is
printed first, the dry-run verdict (``DRY RUN OK (exit 0)``, or the refusal, exit 2) after it.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from typing import Any, get_args

from pydantic import BaseModel

from chaosml.contract.context import DriverContext
from chaosml.contract.targets import ResolvedTarget
from chaosml.drivers.registry import default_registry
from chaosml.durations import format_duration
from chaosml.engine import blast_radius
from chaosml.engine.blast_radius import worst_case_seconds
from chaosml.engine.state import RunOptions
from chaosml.errors import ChaosMLError, RefusedError
from chaosml.exit_codes import ExitCode
from chaosml.model import experiment as m
from chaosml.model.loaded import Loaded
from chaosml.model.types import Duration
from chaosml.redaction import Redactor

NOTHING_WRITTEN = "nothing was touched and nothing written (no journal, no lock, no file)"
_DURATION_CHECK = get_args(Duration)[1]  # the validator that marks a Duration field


def dry_run(item: Loaded, options: RunOptions, debug: bool = False) -> ExitCode:
    """Check the blast radius, print the plan, then the verdict; write nothing."""
    exp = item.experiment
    redact = Redactor(item.secret_values)
    try:
        targets = check(exp, options)
    except RefusedError as exc:
        return _verdict(ExitCode.INVALID, "REFUSED", exc, redact)
    except ChaosMLError as exc:
        return _verdict(ExitCode.TOOL_ERROR, "FAILED", exc, redact)
    for line in plan_lines(exp, list(targets.values())):
        print(redact.text(line))
    print(f"DRY RUN OK (exit 0): {NOTHING_WRITTEN}", flush=True)
    return ExitCode.OK


def check(exp: m.Experiment, options: RunOptions) -> dict[str, ResolvedTarget]:
    """What ``run`` checks before it touches anything: the static checks, then the targets."""
    blast_radius.check_static(exp, options)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    ctx = DriverContext(run_id="dry-run", allow_python=options.allow_python, seed=seed)
    return blast_radius.resolve_targets(exp, default_registry(), ctx, seed)


def _verdict(code: ExitCode, status: str, exc: ChaosMLError, redact: Redactor) -> ExitCode:
    print(f"{status} (exit {int(code)}): {redact.text(exc.message)}", file=sys.stderr)
    if exc.hint:
        print(f"  → {exc.hint}", file=sys.stderr)
    print(NOTHING_WRITTEN, file=sys.stderr, flush=True)
    return code


def plan_lines(exp: m.Experiment, targets: list[ResolvedTarget]) -> list[str]:
    lines = [f"PLAN — {exp.title}", *_target_lines(exp, targets)]
    lines.append(f"  steady state: {len(exp.steady_state)} probe(s), guards: {len(exp.guards)}")
    lines.append(f"  {'PLANNED':<9} STEP")
    offset = 0.0
    for index, step in enumerate(exp.method):
        lines.append(f"  t+{format_duration(offset):<7} [{index}] {describe(step)}")
        offset += _planned_seconds(step)
    lines.append(
        f"  rollback: automatic undos in reverse order, then {len(exp.rollbacks)} rollback step(s)"
    )
    limit = exp.blast_radius.max_duration
    bound = f" (max_duration {format_duration(limit)})" if limit else ""
    lines.append(f"  longest possible run: {format_duration(worst_case_seconds(exp))}{bound}")
    return lines


def _target_lines(exp: m.Experiment, targets: list[ResolvedTarget]) -> list[str]:
    if not targets:
        return []
    lines = [f"  {'TARGET':<12} {'KIND':<8} {'CHOSEN':>6} {'OF':>4}  MEMBERS"]
    for t in targets:
        names = ", ".join(x.name for x in t.members)
        spec = exp.blast_radius.targets[t.name]
        waived = "  (opt-in label WAIVED)" if spec.require_label is None else ""
        lines.append(
            f"  {t.name:<12} {t.kind:<8} {len(t.members):>6} {t.matched:>4}  {names}{waived}"
        )
    return lines


def describe(step: m.Step) -> str:
    """One readable line: the step's kind and what it was given (defaults left out)."""
    if isinstance(step, m.FaultStep):
        extra = f" — for {format_duration(step.duration)}" if step.duration else " — until rollback"
        background = " (background)" if step.background else ""
        return f"fault {step.fault}{_params(step.params)}{extra}{background}"
    if isinstance(step, m.ActionStep):
        return f"action {step.action}{_params(step.params)}"
    if isinstance(step, m.ExpectAlertStep):
        within = format_duration(step.expect_alert.fires_within)
        return f"expect alert {step.expect_alert.name} firing within {within}"
    if isinstance(step, m.ExpectNotificationStep):
        n = step.expect_notification
        via = f" (webhook sink {n.listen})" if n.listen else " (Alertmanager's view)"
        return f"{step.label} within {format_duration(n.within)}{via}"
    if isinstance(step, m.WaitStep):
        return f"wait {format_duration(step.wait)}"
    return f"probe {step.label}"


def _params(params: BaseModel) -> str:
    pairs = _flatten(params, "")
    return ": " + ", ".join(f"{k}={v}" for k, v in pairs) if pairs else ""


def _flatten(model: BaseModel, prefix: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    given = model.model_dump(exclude_defaults=True, exclude_none=True)
    for name, info in type(model).model_fields.items():
        if name not in given:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            pairs += _flatten(value, f"{prefix}{name}.")
        elif _DURATION_CHECK in info.metadata and isinstance(value, int | float):
            pairs.append((prefix + name, format_duration(value)))
        else:
            pairs.append((prefix + name, _show(value)))
    return pairs


def _show(value: Any) -> str:
    if isinstance(value, list):
        return shlex.join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _planned_seconds(step: m.Step) -> float:
    """How long a step takes at the least (when the next one starts at the earliest)."""
    if isinstance(step, m.WaitStep):
        return step.wait
    if isinstance(step, m.FaultStep) and step.duration and not step.background:
        return step.duration
    return 0.0
