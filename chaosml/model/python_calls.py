"""The Python modules an experiment's ``python`` probes and ``python.call`` steps import."""

from __future__ import annotations

import importlib.util

from chaosml.model import experiment as m

PYTHON_ACTION = "python.call"


def python_modules(exp: m.Experiment) -> list[str]:
    calls: list[str] = []
    probes = [*exp.steady_state, *exp.guards, *(exp.observe.metrics if exp.observe else [])]
    probes += [s.probe for s in exp.method if isinstance(s, m.ProbeStep)]
    calls += [str(getattr(p.params, "call", "")) for p in probes if p.kind == "python"]
    actions = [s for s in (*exp.method, *exp.rollbacks) if isinstance(s, m.ActionStep)]
    calls += [str(getattr(a.params, "call", "")) for a in actions if a.action == PYTHON_ACTION]
    return sorted({call.partition(":")[0] for call in calls if call})


def missing_python_modules(exp: m.Experiment) -> list[str]:
    """Those of ``python_modules`` this interpreter cannot import (a warning, not an error)."""
    return [name for name in python_modules(exp) if not _importable(name)]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
