"""The ``docker`` probe: a container's state, health, restart count or exit code.

It reads one container (``container: NAME_OR_ID``, or a ``target`` with one member) or, with
``all: true``, every container of a target. With ``all: true`` the value is the one value they
all share (so ``expect: {equals: running}`` holds only when every container is running), or,
when they differ, the list of their values in member order — which no scalar expectation
meets. ``details.containers`` always lists every container read with all four fields.
"""

from __future__ import annotations

from typing import Any, Literal

from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.drivers.docker_containers import TargetOrContainer
from chaosml.drivers.docker_driver import ContainerState, UsesDocker
from chaosml.errors import DriverError, InfrastructureError, ProbeError

ContainerField = Literal["state", "health", "restarts", "exit_code"]


class DockerProbeParams(TargetOrContainer):
    field: ContainerField = "state"
    all: bool = False


class DockerProbe(UsesDocker, ProbeDriver[DockerProbeParams]):
    kind = "docker"
    summary = "a container's state, health, restart count or exit code"

    def describe(self, params: DockerProbeParams) -> str:
        scope = " every container of" if params.all else " the container of"
        return params.described(f"docker {params.field} of", scope)

    def sample(self, params: DockerProbeParams, ctx: DriverContext) -> Sample:
        states = [self._read(ref) for ref in _refs(params, ctx)]
        values = [field_value(state, params.field) for state in states]
        details = {"containers": [_summary(state) for state in states]}
        return Sample(value=combined(values), details=details)

    def _read(self, ref: str) -> ContainerState:
        try:
            return self.engine.inspect(ref)
        except InfrastructureError:
            raise
        except DriverError as exc:
            raise ProbeError(exc.message) from exc


def _refs(params: DockerProbeParams, ctx: DriverContext) -> list[str]:
    if params.container is not None:
        return [params.container]
    assert params.target is not None
    members = ctx.target(params.target).members
    if not members:
        raise ProbeError(f"target '{params.target}' has no containers")
    if len(members) > 1 and not params.all:
        raise ProbeError(
            f"target '{params.target}' has {len(members)} containers; set 'all: true' so that "
            "every one must meet the expectation, or name one with 'container'"
        )
    return [member.id for member in members]


def field_value(state: ContainerState, field: ContainerField) -> str | int:
    value: str | int = getattr(state, field)
    return value


def combined(values: list[str | int]) -> Any:
    """The one value shared by all, or the list when they differ."""
    if len(set(values)) == 1:
        return values[0]
    return values


def _summary(state: ContainerState) -> dict[str, Any]:
    return {
        "id": state.short_id,
        "name": state.name,
        "state": state.state,
        "health": state.health,
        "restarts": state.restarts,
        "exit_code": state.exit_code,
    }
