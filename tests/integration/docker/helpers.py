"""Building driver calls for driver-level tests against real containers."""

from __future__ import annotations

from typing import Any

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.drivers.base import Driver
from tests.fixtures.docker_env import Container


def ctx_for(*containers: Container, target: str = "t") -> DriverContext:
    """A context whose target ``target`` resolved to exactly these containers."""
    members = tuple(TargetMember(c.id, c.name) for c in containers)
    resolved = ResolvedTarget(target, "docker", members, len(members))
    return DriverContext(run_id="test-run", targets={target: resolved})


def params(driver: Driver, **raw: Any) -> Params:
    return driver.params_model.model_validate(raw)
