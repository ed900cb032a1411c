"""The version-1 experiment, as typed objects (DESIGN.md §2) — and the format itself.

``Experiment.model_validate(doc, context={"registry": DRIVERS, "folder": DIR})`` validates a
written document (``chaosml.model.written``): probes and steps carry their driver's kind and the
driver's validated parameter model, so the engine never sees raw dictionaries. Without that
context the models take their typed form (built in Python).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)

from chaosml import escape
from chaosml.contract import connection
from chaosml.contract.connection import Connection, ConnectionRef
from chaosml.contract.params import Params
from chaosml.model import written
from chaosml.model.expectations import Expect
from chaosml.model.problems import Gather
from chaosml.model.sensitivity import Sensitivity, fault_param_problems
from chaosml.model.types import Duration
from chaosml.model.written import Handler, ModelHandler

DEFAULT_OPT_IN_LABEL = "chaosml.io/allow=true"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class TargetSpec(Strict, written.Written):
    """A blast-radius target: a selector of one target driver plus the limits on it; written
    with the driver's key (``docker: {labels: …}``)."""

    form = written.driver_spec_of("target", "a target")

    kind: str
    selector: Params
    require_label: str | None = DEFAULT_OPT_IN_LABEL
    count: int | None = Field(default=None, ge=1)
    max_percent: float | None = Field(default=None, gt=0, le=100)
    min_matches: int = Field(default=1, ge=1)


class BlastRadius(Strict):
    environments: list[str] | None = None
    max_duration: Duration | None = None
    namespaces: list[str] | None = None  # Kubernetes namespaces allowed (docs/kubernetes.md)
    targets: Annotated[
        dict[str, TargetSpec], WrapValidator(written.mapping("'targets'", {}, falsy=True))
    ] = Field(default_factory=dict)


class ProbeSpec(Strict, written.Written):
    """A probe as used in steady_state, guards, observe, method and recovery; written with the
    driver's key (``http: {url: …}``)."""

    form = written.driver_spec_of("probe", "a probe")

    name: str = Field(min_length=1)
    kind: str
    params: Params
    expect: Expect | None = None
    tolerate_failure: bool = False
    timeout: Duration = 10.0
    weight: float = Field(default=1.0, ge=0)
    every: Duration | None = None  # guards only


Probes = Annotated[list[ProbeSpec], WrapValidator(written.listed)]


class FaultStep(Strict, written.DriverStep):
    """Written as ``fault: KIND`` beside the step's keys and the driver's parameters."""

    type: Literal["fault"] = "fault"
    fault: str
    params: Params
    name: str | None = None
    duration: Duration | None = Field(default=None, gt=0)
    background: bool = False
    timeout: Duration = Field(default=60.0, gt=0)
    allow_no_effect: bool = False  # a fault whose evidence shows no effect does not fail the run

    @property
    def label(self) -> str:
        return self.name or self.fault


class ActionStep(Strict, written.DriverStep):
    """Written as ``action: KIND`` (an action's or a fault's) beside the driver's parameters."""

    type: Literal["action"] = "action"
    action: str
    params: Params
    name: str | None = None
    timeout: Duration = Field(default=60.0, gt=0)

    @property
    def label(self) -> str:
        return self.name or self.action


class ProbeStep(Strict, written.SingleKeyStep):
    type: Literal["probe"] = "probe"
    probe: ProbeSpec

    @property
    def label(self) -> str:
        return self.probe.name


class WaitStep(Strict, written.SingleKeyStep):
    type: Literal["wait"] = "wait"
    wait: Duration = Field(ge=0)

    @property
    def label(self) -> str:
        return f"wait {self.wait:g}s"


class AlertSource(Strict):
    """Where an alert is read: a URL, a name under ``sources:`` or a connection block."""

    prometheus: ConnectionRef | None = None
    alertmanager: ConnectionRef | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AlertSource:
        if (self.prometheus is None) == (self.alertmanager is None):
            raise ValueError(
                "give exactly one alert source: {prometheus: URL} or {alertmanager: URL}"
            )
        return self

    @property
    def connection(self) -> Connection:
        found = self.prometheus or self.alertmanager
        assert found is not None  # checked when validated
        return found


TargetAttribute = Annotated[str, Field(pattern=r"^(name|id|address|label\.[\w./-]+)$")]


class ExpectAlert(Strict):
    name: str = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)
    source: AlertSource
    fires_within: Duration = Field(default=60.0, gt=0)
    state: Literal["firing", "pending"] = "firing"
    weight: float = Field(default=1.0, ge=0)
    # issue 20 (docs/alerts.md): an alert already active before the fault proves nothing
    allow_already_firing: bool = False
    match_target: dict[str, TargetAttribute] | None = Field(default=None, min_length=1)
    target: str | None = None  # whose attributes match_target reads; default: the last fault's


class ExpectAlertStep(Strict, written.SingleKeyStep):
    type: Literal["expect_alert"] = "expect_alert"
    expect_alert: ExpectAlert

    @property
    def label(self) -> str:
        return f"expect alert {self.expect_alert.name}"


class NotificationSource(Strict):
    alertmanager: ConnectionRef  # a URL, a name under sources: or a connection block


_LISTEN = re.compile(r"^(\[?[\w.:-]*\]?:)?\d{1,5}$")


def _listen(text: str) -> str:
    if not _LISTEN.match(text) or int(text.rpartition(":")[2]) > 65535:
        raise ValueError(f"expected host:port or a port (like 127.0.0.1:9097), got {text!r}")
    return text


class ExpectNotification(Strict):
    """Issue 19 (docs/notifications.md): the alert must reach ``receiver`` within ``within``."""

    alert: str = Field(min_length=1)
    receiver: str = Field(min_length=1)
    source: NotificationSource
    listen: Annotated[str, AfterValidator(_listen)] | None = None  # chaosml's webhook sink
    within: Duration = Field(default=120.0, gt=0)
    labels: dict[str, str] = Field(default_factory=dict)  # what the notified alert must carry
    annotations: list[str] = Field(default_factory=list)  # annotations that must be present
    weight: float = Field(default=1.0, ge=0)


class ExpectNotificationStep(Strict, written.SingleKeyStep):
    type: Literal["expect_notification"] = "expect_notification"
    expect_notification: ExpectNotification

    @property
    def label(self) -> str:
        n = self.expect_notification
        return f"expect notification {n.alert} to {n.receiver}"


Step = FaultStep | ActionStep | ProbeStep | WaitStep | ExpectAlertStep | ExpectNotificationStep
STEPS: dict[str, type[Step]] = {
    "fault": FaultStep,
    "action": ActionStep,
    "probe": ProbeStep,
    "wait": WaitStep,
    "expect_alert": ExpectAlertStep,
    "expect_notification": ExpectNotificationStep,
}


def _written_step(data: Any, handler: Handler, info: ValidationInfo) -> Step:
    """A method step is written as the one key that says its kind (``fault:``, ``wait:``…)."""
    if written.catalogue(info) is None:
        return handler(data)  # type: ignore[no-any-return]
    return STEPS[written.step_kind(data)].model_validate(data, context=info.context)


def _written_rollback(data: Any, handler: Handler, info: ValidationInfo) -> ActionStep:
    if written.catalogue(info) is not None:
        written.rollback_step(data)
    return handler(data)  # type: ignore[no-any-return]


def _method(value: Any, handler: Handler, info: ValidationInfo) -> Any:
    if written.catalogue(info) is not None and value is None:
        raise written.fail("missing required section 'method' (the faults to inject)")
    if written.catalogue(info) is not None and value == []:
        raise written.fail("the method needs at least one step")
    return written.listed(value, handler, info)


Method = Annotated[
    list[Annotated[Step, WrapValidator(_written_step)]],
    Field(min_length=1),
    WrapValidator(_method),
]
Rollbacks = Annotated[
    list[Annotated[ActionStep, WrapValidator(_written_rollback)]], WrapValidator(written.listed)
]


class Observe(Strict):
    every: Duration = Field(default=2.0, gt=0)
    metrics: Probes = Field(default_factory=list)


def _bare_name(data: Any) -> Any:
    return {"name": data} if isinstance(data, str) else data


class ResolveAlert(Strict):
    """An alert that must resolve: its name alone takes the source and labels the method's
    ``expect_alert`` of that name gives."""

    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    source: AlertSource | None = None


def _alert_names(value: Any, handler: Handler, info: ValidationInfo) -> Any:
    if not value:
        return handler([])
    if not isinstance(value, list):
        raise written.fail("'alerts_resolve' must be a list of alert names")
    return handler(value)


class Recovery(Strict):
    """After the rollback the steady state must hold again within ``within``; with ``hold`` it
    must hold without a break for that long (a flapping signal does not count as recovered)."""

    within: Duration = Field(default=60.0, gt=0)
    every: Duration = Field(default=5.0, gt=0)
    hold: Duration = Field(default=0.0, ge=0)
    alerts_resolve: Annotated[
        list[Annotated[ResolveAlert, BeforeValidator(_bare_name)]], WrapValidator(_alert_names)
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hold_fits(self) -> Recovery:
        if self.hold >= self.within:
            raise ValueError(
                f"hold ({self.hold:g}s) must be shorter than within ({self.within:g}s):"
                " the steady state could never hold that long in time"
            )
        return self


class ExpectNoAlert(Strict):
    """An alert that must stay quiet while the faults are in place (docs/silent-failures.md)."""

    name: str = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)
    source: AlertSource


class EphemeralProxy(Strict):
    """A proxy chaosml starts for the run and stops at its end."""

    name: str
    listen: str
    upstream: str
    protocol: Literal["tcp", "http"] = "tcp"
    api: str = "127.0.0.1:0"


class Experiment(Strict):
    version: Literal[1]
    title: Annotated[str, AfterValidator(escape.plain)] = Field(min_length=1)  # no ESC etc.
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, Any] = Field(default_factory=dict)
    sources: dict[str, Connection] = Field(default_factory=dict)  # docs/monitoring-sources.md
    blast_radius: Annotated[BlastRadius, WrapValidator(written.mapping("'blast_radius'", {}))] = (
        Field(default_factory=BlastRadius)
    )
    proxies: Annotated[list[EphemeralProxy], WrapValidator(written.listed)] = Field(
        default_factory=list
    )
    steady_state: Probes = Field(default_factory=list)
    guards: Probes = Field(default_factory=list)
    observe: Annotated[Observe | None, WrapValidator(written.mapping("'observe'"))] = None
    method: Method
    rollbacks: Rollbacks = Field(default_factory=list)
    recovery: Annotated[Recovery | None, WrapValidator(written.mapping("'recovery'"))] = None
    sensitivity: Sensitivity | None = None  # issue 14: the detection-boundary search
    impact: Probes = Field(default_factory=list)  # what harm looks like for users
    expect_no_alert: Annotated[list[ExpectNoAlert], WrapValidator(written.listed)] = Field(
        default_factory=list
    )

    @model_validator(mode="wrap")
    @classmethod
    def _written(cls, data: Any, handler: ModelHandler[Any], info: ValidationInfo) -> Any:
        if written.catalogue(info) is None or not isinstance(data, dict):
            return handler(data)
        return _written_experiment(cls, data, handler, info)

    @field_validator("recovery", mode="after")
    @classmethod
    def _alert_sources(cls, recovery: Recovery | None, info: ValidationInfo) -> Recovery | None:
        """An alert to resolve given by name takes its source from the method's expect_alert."""
        if recovery is None or written.catalogue(info) is None or "method" not in info.data:
            return recovery
        return _resolved(recovery, info.data["method"])

    @field_validator("sensitivity", mode="after")
    @classmethod
    def _searchable(cls, spec: Sensitivity | None, info: ValidationInfo) -> Sensitivity | None:
        """The sensitivity search varies a numeric parameter of a fault of the method."""
        if spec is not None and written.catalogue(info) is not None and "method" in info.data:
            _check_sensitivity(spec, info.data["method"])
        return spec

    @property
    def ml_test_score(self) -> list[str]:
        """The ML Test Score monitoring tests this experiment proves (``ml-test-score:M6``)."""
        return [t.split(":", 1)[1] for t in self.tags if t.startswith("ml-test-score:")]


def _written_experiment(
    cls: type[Experiment],
    data: dict[str, Any],
    handler: ModelHandler[Experiment],
    info: ValidationInfo,
) -> Experiment:
    """A document: its sources first (the rest may name them), every section, then the checks
    across sections (declared targets, namespaces, the time budget)."""
    from chaosml.model.static_checks import static_problems  # it reads this module's classes

    found = Gather("Experiment")
    folder = str((info.context or {}).get("folder", ""))
    with connection.declared({}, folder):
        sources = _sources(found, data.get("sources"))
    sections = list(cls.model_fields)
    for key in data:
        if key not in sections:
            found.unknown_key((), key, sections, "section")
    body = {"method": None, **{k: v for k, v in data.items() if k in sections}, "sources": sources}
    declared = {n: c.model_dump(exclude_none=True) for n, c in sources.items()}
    with connection.declared(declared, folder):
        experiment = found.run(cls, body, (), lambda: handler(body))
    found.raise_if_any()
    assert experiment is not None
    experiment = _with_implied_targets(experiment)
    for loc, message in static_problems(experiment):
        found.add(loc, message)
    found.raise_if_any()
    return experiment


def _sources(found: Gather, data: Any) -> dict[str, Connection]:
    """The ``sources:`` section; a source given as a bare URL is the block ``{url: URL}``."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        found.add(("sources",), written.not_mapping("'sources'", data))
        return {}
    built = {
        str(name): found.validate(
            Connection, {"url": block} if isinstance(block, str) else block, ("sources", name), None
        )
        for name, block in data.items()
    }
    return {name: c for name, c in built.items() if c is not None}


def _resolved(recovery: Recovery, method: list[Step]) -> Recovery:
    steps = [s.expect_alert for s in reversed(method) if isinstance(s, ExpectAlertStep)]
    expected = {alert.name: alert for alert in steps}  # the first of a name wins
    found = Gather("Recovery")
    alerts = []
    for index, alert in enumerate(recovery.alerts_resolve):
        step = expected.get(alert.name)
        if alert.source is None and step is None:
            found.add(
                ("alerts_resolve", index),
                f"alert '{alert.name}' has no source: add source: {{prometheus: URL}} "
                "or expect it in the method",
            )
        elif alert.source is None and step is not None:
            alert = alert.model_copy(
                update={"source": step.source, "labels": alert.labels or step.labels}
            )
        alerts.append(alert)
    found.raise_if_any()
    return recovery.model_copy(update={"alerts_resolve": alerts})


def _check_sensitivity(spec: Sensitivity, method: list[Step]) -> None:
    found = Gather("Sensitivity")
    step = method[spec.step] if spec.step < len(method) else None
    if not isinstance(step, FaultStep):
        faults = [str(i) for i, s in enumerate(method) if isinstance(s, FaultStep)]
        shown = ", ".join(faults) or "none"
        raise written.fail(f"method[{spec.step}] is not a fault (faults: {shown})", loc=("step",))
    fields = {name: f.annotation for name, f in type(step.params).model_fields.items()}
    expected = [s.expect_alert.name for s in method if isinstance(s, ExpectAlertStep)]
    for where, message in fault_param_problems(spec, step.fault, dict(fields), expected):
        found.add(where, message)
    found.raise_if_any()


def _with_implied_targets(experiment: Experiment) -> Experiment:
    """A step whose params imply a target of their own (``process.kill`` with an inline
    ``pattern``) gets it declared in the blast radius, named after the step (``method[0]``),
    so that it is resolved, limited, journaled and locked like any declared target."""
    targets = dict(experiment.blast_radius.targets)
    update: dict[str, Any] = {}
    for section in ("method", "rollbacks"):
        steps = list(getattr(experiment, section))
        for index, step in enumerate(steps):
            hook = getattr(step, "params", None) and getattr(step.params, "implied_target", None)
            implied = hook() if callable(hook) else None
            if isinstance(implied, TargetSpec):
                name = f"{section}[{index}]"
                targets[name] = implied
                params = step.params.model_copy(update={"target": name})
                steps[index] = step.model_copy(update={"params": params})
        update[section] = steps
    update["blast_radius"] = experiment.blast_radius.model_copy(update={"targets": targets})
    return experiment.model_copy(update=update)
