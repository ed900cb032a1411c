"""The version-1 experiment, as typed objects (DESIGN.md §2).

The loader builds these from YAML/JSON; probes and steps carry their driver's kind and the
driver's validated parameter model, so the engine never sees raw dictionaries.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chaosml import escape
from chaosml.contract.connection import Connection, ConnectionRef
from chaosml.contract.params import Params
from chaosml.model.expectations import Expect
from chaosml.model.sensitivity import Sensitivity
from chaosml.model.types import Duration

DEFAULT_OPT_IN_LABEL = "chaosml.io/allow=true"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class TargetSpec(Strict):
    """A blast-radius target: a selector of one target driver plus the limits on it."""

    kind: str
    selector: Params
    require_label: str | None = DEFAULT_OPT_IN_LABEL
    count: int | None = Field(default=None, ge=1)
    max_percent: float | None = Field(default=None, gt=0, le=100)
    min_matches: int = Field(default=1, ge=1)


class TargetLimits(Strict):
    """The keys of a target besides its selector (validated before the selector)."""

    require_label: str | None = DEFAULT_OPT_IN_LABEL
    count: int | None = Field(default=None, ge=1)
    max_percent: float | None = Field(default=None, gt=0, le=100)
    min_matches: int = Field(default=1, ge=1)


class BlastRadius(Strict):
    environments: list[str] | None = None
    max_duration: Duration | None = None
    namespaces: list[str] | None = None  # Kubernetes namespaces allowed (docs/kubernetes.md)
    targets: dict[str, TargetSpec] = Field(default_factory=dict)


class ProbeSpec(Strict):
    """A probe as used in steady_state, guards, observe, method and recovery."""

    name: str
    kind: str
    params: Params
    expect: Expect | None = None
    tolerate_failure: bool = False
    timeout: Duration = 10.0
    weight: float = Field(default=1.0, ge=0)
    every: Duration | None = None  # guards only


class ProbeHead(Strict):
    """The probe keys the engine owns (the driver key is split off before)."""

    name: str = Field(min_length=1)
    expect: Expect | None = None
    tolerate_failure: bool = False
    timeout: Duration = 10.0
    weight: float = Field(default=1.0, ge=0)
    every: Duration | None = None


class FaultStep(Strict):
    type: Literal["fault"] = "fault"
    fault: str
    params: Params
    name: str | None = None
    duration: Duration | None = None
    background: bool = False
    timeout: Duration = 60.0
    allow_no_effect: bool = False  # a fault whose evidence shows no effect does not fail the run

    @property
    def label(self) -> str:
        return self.name or self.fault


class ActionStep(Strict):
    type: Literal["action"] = "action"
    action: str
    params: Params
    name: str | None = None
    timeout: Duration = 60.0

    @property
    def label(self) -> str:
        return self.name or self.action


class FaultHead(Strict):
    name: str | None = None
    duration: Duration | None = Field(default=None, gt=0)
    background: bool = False
    timeout: Duration = Field(default=60.0, gt=0)
    allow_no_effect: bool = False


class ActionHead(Strict):
    name: str | None = None
    timeout: Duration = Field(default=60.0, gt=0)


class ProbeStep(Strict):
    type: Literal["probe"] = "probe"
    probe: ProbeSpec

    @property
    def label(self) -> str:
        return self.probe.name


class WaitStep(Strict):
    type: Literal["wait"] = "wait"
    wait: Duration = Field(ge=0)

    @property
    def label(self) -> str:
        return f"wait {self.wait:g}s"


class AlertSource(Strict):
    """Where an alert is read: a URL, a name under ``sources:`` or a connection block."""

    prometheus: ConnectionRef | None = None
    alertmanager: ConnectionRef | None = None

    @property
    def connection(self) -> Connection:
        found = self.prometheus or self.alertmanager
        assert found is not None  # the loader checks exactly one is given
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


class ExpectAlertStep(Strict):
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


class ExpectNotificationStep(Strict):
    type: Literal["expect_notification"] = "expect_notification"
    expect_notification: ExpectNotification

    @property
    def label(self) -> str:
        n = self.expect_notification
        return f"expect notification {n.alert} to {n.receiver}"


Step = FaultStep | ActionStep | ProbeStep | WaitStep | ExpectAlertStep | ExpectNotificationStep


class Observe(Strict):
    every: Duration = Field(default=2.0, gt=0)
    metrics: list[ProbeSpec] = Field(default_factory=list)


class ResolveAlert(Strict):
    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    source: AlertSource | None = None


class Recovery(Strict):
    """After the rollback the steady state must hold again within ``within``; with ``hold`` it
    must hold without a break for that long (a flapping signal does not count as recovered)."""

    within: Duration = Field(default=60.0, gt=0)
    every: Duration = Field(default=5.0, gt=0)
    hold: Duration = Field(default=0.0, ge=0)
    alerts_resolve: list[ResolveAlert] = Field(default_factory=list)

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
    blast_radius: BlastRadius = Field(default_factory=BlastRadius)
    proxies: list[EphemeralProxy] = Field(default_factory=list)
    steady_state: list[ProbeSpec] = Field(default_factory=list)
    guards: list[ProbeSpec] = Field(default_factory=list)
    observe: Observe | None = None
    method: list[Step] = Field(min_length=1)
    rollbacks: list[ActionStep] = Field(default_factory=list)
    recovery: Recovery | None = None
    sensitivity: Sensitivity | None = None  # issue 14: the detection-boundary search
    impact: list[ProbeSpec] = Field(default_factory=list)  # what harm looks like for users
    expect_no_alert: list[ExpectNoAlert] = Field(default_factory=list)

    @property
    def ml_test_score(self) -> list[str]:
        """The ML Test Score monitoring tests this experiment proves (``ml-test-score:M6``)."""
        return [t.split(":", 1)[1] for t in self.tags if t.startswith("ml-test-score:")]
