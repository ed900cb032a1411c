"""``chaosml validate``: check files, run nothing; every problem of every file at once.

A game-day plan (a file with ``experiments:`` and no ``method:``) is checked as a plan, and each
experiment it lists is checked with the plan's vars for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.errors import ValidationError
from chaosml.exit_codes import ExitCode
from chaosml.loader import is_plan, load_file
from chaosml.model.python_calls import missing_python_modules
from chaosml.substitution import parse_overrides
from chaosml.yaml_source import read_source


def validate(experiments: list[Path], var: list[str], debug: bool) -> int:
    def body() -> int:
        overrides = parse_overrides(var)
        results = [_check(path, overrides) for path in experiments]
        return int(ExitCode.OK if all(results) else ExitCode.INVALID)

    return guarded(body, debug)


def _check(path: Path, overrides: dict[str, str], strict_vars: bool = True) -> bool:
    try:
        if _is_plan(path):
            return _check_plan(path, overrides)
        loaded = load_file(path, overrides, strict_vars=strict_vars)
    except ValidationError as exc:
        print(f"{path}: INVALID\n{exc.message}", file=sys.stderr)
        return False
    print(f"{path}: ok — {loaded.experiment.title} ({len(loaded.experiment.method)} steps)")
    for module in missing_python_modules(loaded.experiment):
        print(
            f"{path}: warning: the Python module '{module}' is not installed here: its python "
            "step will fail when run",
            file=sys.stderr,
        )
    return True


def _is_plan(path: Path) -> bool:
    try:
        return is_plan(read_source(path).data)
    except ValidationError:
        return False


def _check_plan(path: Path, overrides: dict[str, str]) -> bool:
    from chaosml.gameday.plan import load_plan

    loaded = load_plan(path)
    ok = True
    for entry in loaded.plan.experiments:
        variables = {k: str(v) for k, v in entry.vars.items()}
        path = loaded.experiment_path(entry)
        ok = _check(path, {**variables, **overrides}, strict_vars=False) and ok
    status = "ok" if ok else "INVALID (see its experiments)"
    count = len(loaded.plan.experiments)
    print(f"{path}: {status} — game-day plan '{loaded.plan.title}', {count} experiments")
    return ok
