"""The ``docker.disconnect`` fault: cut the target's containers off one Docker network.

``plan()`` reads each container's aliases (and an explicitly configured IPv4 address) on that
network, so the undo reconnects it exactly as it was, also from ``chaosml rollback`` in a new
process. The container's short id, which Docker adds as an alias by itself, is not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaosml.contract.context import DriverContext
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers import docker_evidence as observed
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.docker_containers import (
    TargetParams,
    on_all,
    on_target,
    record_entries,
    target_refs,
)
from chaosml.drivers.docker_driver import UsesDocker
from chaosml.errors import DriverError


class DisconnectParams(TargetParams):
    network: str


@dataclass(frozen=True)
class Attachment:
    """One container on one network, as the undo record keeps it."""

    id: str
    name: str
    network: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "network": self.network,
            "aliases": list(self.aliases),
            "ipv4_address": self.ipv4_address,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Attachment:
        return cls(
            id=str(raw["id"]),
            name=str(raw.get("name", "")),
            network=str(raw["network"]),
            aliases=tuple(str(a) for a in raw.get("aliases") or ()),
            ipv4_address=raw.get("ipv4_address"),
        )


def _label(item: Attachment) -> str:
    return item.name or item.id[:12]


class DockerDisconnect(UsesDocker, FaultDriver[DisconnectParams]):
    kind = "docker.disconnect"
    summary = "disconnect the target's containers from a network; undo reconnects them"

    def describe(self, params: DisconnectParams) -> str:
        return on_target(self.kind, params.target, f" network '{params.network}'")

    def plan(self, params: DisconnectParams, ctx: DriverContext) -> UndoRecord | None:
        refs = target_refs(ctx, params.target)
        found = [self._attachment(ref.id, params.network) for ref in refs]
        shown = ", ".join(f"{_label(a)} ({', '.join(a.aliases) or 'no aliases'})" for a in found)
        return UndoRecord(
            self.kind,
            {"containers": [a.to_json() for a in found]},
            f"reconnect to network '{params.network}': {shown}",
        )

    def apply(self, params: DisconnectParams, ctx: DriverContext) -> None:
        items = [
            self._attachment(ref.id, params.network) for ref in target_refs(ctx, params.target)
        ]
        act = lambda item: self.engine.disconnect(item.id, item.network)  # noqa: E731
        on_all(items, act, _label, self.kind, revert=self._reconnect)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        items = [Attachment.from_json(raw) for raw in record_entries(record)]
        on_all(items, self._reconnect, _label, "undo of docker.disconnect (reconnect)")

    def applied_evidence(
        self, params: DisconnectParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        refs = target_refs(ctx, params.target)
        hit = observed.off_network(params.network)
        return observed.containers_evidence(self.engine, refs, hit, f"off '{params.network}'")

    def _attachment(self, ref: str, network: str) -> Attachment:
        state = self.engine.inspect(ref)
        endpoint = state.networks.get(network)
        if endpoint is None:
            attached = ", ".join(sorted(state.networks)) or "none"
            raise DriverError(
                f"container '{state.name}' is not connected to network '{network}' "
                f"(its networks: {attached})"
            )
        aliases = tuple(a for a in endpoint.aliases if a != state.short_id)
        return Attachment(state.id, state.name, network, aliases, endpoint.ipv4_address)

    def _reconnect(self, item: Attachment) -> None:
        if item.network in self.engine.inspect(item.id).networks:
            return  # connected already: nothing to undo
        self.engine.connect(item.id, item.network, list(item.aliases), item.ipv4_address)
