"""``match_target`` binds an expected alert to the faulted target; bad bindings refuse (exit 2)."""

from __future__ import annotations

import pytest

from chaosml.contract.targets import TargetMember
from chaosml.engine.outcome import Status
from chaosml.engine.target_binding import attribute_of
from chaosml.errors import RefusedError, ValidationError
from chaosml.io.ports import free_port
from chaosml.loader import load_text
from chaosml.testing import FakeWorld, registry_with_fakes
from tests.unit.engine.conftest import RunFn, kinds

MEMBER = TargetMember("c0ffee", "exporter-a", {"chaosml.io/address": "10.0.0.5:9100", "zone": "b"})


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("name", "exporter-a"), ("id", "c0ffee"), ("address", "10.0.0.5:9100"), ("label.zone", "b")],
)
def test_target_attributes(attribute: str, value: str) -> None:
    assert attribute_of(MEMBER, attribute) == value


def test_a_missing_label_is_a_refusal_naming_the_member() -> None:
    with pytest.raises(RefusedError, match=r"exporter-a has no label chaosml\.io/address"):
        attribute_of(TargetMember("id", "exporter-a"), "address")


def _experiment(fault_target: str, match: str) -> str:
    dead = f"http://127.0.0.1:{free_port()}"
    return f"""
        version: 1
        title: bound alert
        blast_radius:
          targets:
            replicas:
              fake: {{members: [{{name: a}}, {{name: b}}]}}
              require_label: null
              count: 1
        method:
          - fault: fake.fault
            id: f1{fault_target}
          - expect_alert:
              name: ExporterDown
              source: {{prometheus: "{dead}"}}
              fires_within: 1s
              match_target: {match}
        """


@pytest.mark.parametrize(
    ("fault_target", "match", "says"),
    [
        ("", "{instance: name}", "no faulted target to match ExporterDown against"),
        ("\n            target: replicas", "{instance: address}", "has no label"),
    ],
)
def test_an_unusable_match_target_refuses_before_any_fault(
    run: RunFn, fault_target: str, match: str, says: str, world: FakeWorld
) -> None:
    outcome, events = run(_experiment(fault_target, match))
    assert outcome.status is Status.REFUSED, outcome.reason
    assert says in outcome.reason
    assert kinds(events, "fault.applied") == [] and world.active == set()


def test_match_target_names_a_known_attribute() -> None:
    with pytest.raises(ValidationError) as raised:
        load_text(_experiment("", "{instance: adress}"), "exp.yaml", registry=registry_with_fakes())
    assert "match_target" in str(raised.value) and "exp.yaml" in str(raised.value)
