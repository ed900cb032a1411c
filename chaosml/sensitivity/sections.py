"""The loader's part for ``sensitivity:``, ``impact:`` and ``expect_no_alert:``: each validated
like the rest of the format, every problem located (file:line:col and key path)."""

from __future__ import annotations

from typing import Any, Protocol

from chaosml.model import experiment as m
from chaosml.model.problems import Collector
from chaosml.model.sensitivity import Sensitivity, fault_param_problems
from chaosml.yaml_source import Loc


class Builder(Protocol):
    """What the loader's builder offers these sections."""

    out: Collector
    registry: Any

    def probe(self, data: Any, loc: Loc) -> m.ProbeSpec | None: ...

    def _list(self, doc: dict[str, Any], key: str, build: Any) -> list[Any]: ...

    def _check_source(self, source: m.AlertSource, loc: Loc) -> None: ...


def build(builder: Builder, doc: dict[str, Any], method: list[m.Step]) -> dict[str, Any]:
    """The validated sections present in ``doc`` (absent ones keep their defaults)."""
    built: dict[str, Any] = {
        "impact": builder._list(doc, "impact", builder.probe),
        "expect_no_alert": builder._list(
            doc, "expect_no_alert", lambda d, loc: _no_alert(builder, d, loc)
        ),
    }
    if doc.get("sensitivity") is not None:
        built["sensitivity"] = _sensitivity(builder, doc["sensitivity"], method)
    return built


def _no_alert(builder: Builder, data: Any, loc: Loc) -> m.ExpectNoAlert | None:
    alert = builder.out.validate(m.ExpectNoAlert, data, loc)
    if alert is not None:
        builder._check_source(alert.source, (*loc, "source"))
    return alert


def _sensitivity(builder: Builder, data: Any, method: list[m.Step]) -> Sensitivity | None:
    loc: Loc = ("sensitivity",)
    spec = builder.out.validate(Sensitivity, data, loc)
    if spec is None:
        return None
    if spec.step >= len(method) or not isinstance(method[spec.step], m.FaultStep):
        faults = [i for i, s in enumerate(method) if isinstance(s, m.FaultStep)]
        shown = ", ".join(str(i) for i in faults) or "none"
        builder.out.add((*loc, "step"), f"method[{spec.step}] is not a fault (faults: {shown})")
        return None
    step = method[spec.step]
    assert isinstance(step, m.FaultStep)
    fields = {name: f.annotation for name, f in type(step.params).model_fields.items()}
    expected = [s.expect_alert.name for s in method if isinstance(s, m.ExpectAlertStep)]
    problems = list(fault_param_problems(spec, step.fault, dict(fields), expected))
    for where, message in problems:
        builder.out.add((*loc, *where), message)
    return None if problems else spec
