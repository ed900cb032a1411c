"""Probe ``python``: a function's return value. Refused unless the run has ``--allow-python``."""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.errors import DriverError, ProbeError


class PythonParams(Params):
    call: str = Field(pattern=r"^[\w.]+:[\w.]+$")
    args: dict[str, Any] | list[Any] = Field(default_factory=dict)


class PythonProbe(ProbeDriver[PythonParams]):
    """Calls ``module:function`` with ``args`` (a list or a mapping); ``value`` is the result."""

    kind = "python"
    summary = "a Python function's return value (needs --allow-python)"

    def sample(self, params: PythonParams, ctx: DriverContext) -> Sample:
        if not ctx.allow_python:
            raise DriverError(
                "the python probe runs arbitrary code: start the run with --allow-python"
            )
        func = _resolve(params.call)
        try:
            result = func(*params.args) if isinstance(params.args, list) else func(**params.args)
        except Exception as exc:
            raise ProbeError(f"{params.call} raised {type(exc).__name__}: {exc}") from exc
        return Sample(value=result, json=result if isinstance(result, dict | list) else None)


def _resolve(call: str) -> Any:
    module_name, _, attr = call.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ProbeError(f"cannot find {call}: {exc}") from exc
    if not callable(target):
        raise ProbeError(f"{call} is not callable")
    return target
