"""Action ``python.call``: call ``module:function`` with ``args``; no undo.

It runs arbitrary code, so — like the ``python`` probe — a run containing one is refused
unless started with ``--allow-python``. ``chaosml import`` uses it for the Python actions of
Chaos Toolkit extensions that have no native chaosml step.
"""

from __future__ import annotations

from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ActionDriver
from chaosml.drivers.python_probe import PythonParams, PythonProbe
from chaosml.errors import DriverError, ProbeError


class PythonCall(ActionDriver[PythonParams]):
    kind = "python.call"
    summary = "call a Python function (needs --allow-python); no undo"

    def run(self, params: PythonParams, ctx: DriverContext) -> Sample | None:
        try:
            return PythonProbe().sample(params, ctx)
        except ProbeError as exc:
            raise DriverError(exc.message) from exc

    def describe(self, params: PythonParams) -> str:
        return f"call {params.call}"
