"""The ``docker`` target selector: running or paused containers by labels and name.

``blast_radius.targets.<name>.docker: {labels: {app: model-server}, name: "^model-server-\\d+$"}``
matches the containers that carry every label given AND whose name matches the regular
expression (``re.search``: anchor it with ``^…$`` for a whole-name match). At least one of the
two is required. Only running and paused containers are candidates; they are returned sorted by
name, so that the same ``--seed`` picks the same containers. The opt-in label, ``count``,
``max_percent`` and ``min_matches`` are applied by the engine afterwards.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import model_validator

from chaosml.contract.checks import regex_check
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.targets import TargetMember
from chaosml.drivers.base import TargetDriver
from chaosml.drivers.docker_driver import UsesDocker


class DockerSelector(Params):
    labels: dict[str, str] = {}
    name: Annotated[str, regex_check("'name' is not a valid regular expression")] | None = None

    @model_validator(mode="after")
    def _something_to_match(self) -> DockerSelector:
        if not self.labels and self.name is None:
            raise ValueError(
                "give 'labels', 'name' (a regex) or both: "
                "an empty selector would match every container"
            )
        return self


class DockerTarget(UsesDocker, TargetDriver[DockerSelector]):
    kind = "docker"
    summary = "running or paused containers matching labels and a name regex"

    def describe(self, params: DockerSelector) -> str:
        parts = [f"{k}={v}" for k, v in sorted(params.labels.items())]
        if params.name is not None:
            parts.append(f"name ~ /{params.name}/")
        return "docker containers with " + " and ".join(parts)

    def candidates(self, params: DockerSelector, ctx: DriverContext) -> list[TargetMember]:
        pattern = re.compile(params.name) if params.name is not None else None
        found = self.engine.list_running(params.labels)
        chosen = [c for c in found if pattern is None or pattern.search(c.name)]
        members = [TargetMember(c.id, c.name, c.labels) for c in chosen]
        return sorted(members, key=lambda m: (m.name, m.id))
