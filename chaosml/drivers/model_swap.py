"""Fault ``model.swap``: replace a model artifact (a file or a directory) with another.

``path`` is the artifact the model server loads, on this machine or (``target: NAME``, a
Docker blast-radius target) inside each of the target's containers; ``with`` is the local file
or directory put in its place (a stale model, one that produces NaN, one with the wrong input
schema). plan() reads each artifact and records its content digest and a snapshot path (under
the run's state dir); apply() writes the snapshot (a tar), swaps the replacement in and runs
the optional ``reload`` step. undo() checks
that the snapshot's content has the recorded digest (and refuses one that does not), puts it
back, checks the artifact's digest again and reloads — from the undo record alone, so
``chaosml rollback JOURNAL`` works in a new process. A second undo finds the original in place
and does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from chaosml.contract.checks import ExactlyOne
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Counter, Evidence, UndoRecord
from chaosml.contract.targets import TargetMember
from chaosml.drivers import model_swap_k8s
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.feed_driver import read_bytes, write_atomic
from chaosml.drivers.model_swap_k8s import ConfigMapKey
from chaosml.drivers.model_swap_reload import Reload, reload
from chaosml.drivers.model_swap_store import (
    ArtifactStore,
    ContainerStore,
    LocalStore,
    tar_digest,
    tar_of,
)
from chaosml.errors import ChaosMLError, DriverError


class ModelSwapParams(ExactlyOne):
    path: str | None = Field(
        default=None, description="the artifact the model server loads (file or directory)"
    )
    configmap: ConfigMapKey | None = Field(
        default=None, description="Kubernetes: the ConfigMap key that holds the model's path"
    )
    replacement: str = Field(
        alias="with",
        description="the local file or directory put at path; with configmap: the path the "
        "key is set to",
    )
    target: str | None = Field(
        default=None, description="a Docker target whose containers hold path"
    )
    reload: Reload | None = None

    model_config = {**Params.model_config, "populate_by_name": True}
    one_of = ("path", "configmap")
    one_of_error = "give exactly one of path (a file or directory) or configmap"

    @model_validator(mode="after")
    def _place_fits(self) -> ModelSwapParams:
        if self.configmap is not None and (self.target is not None or self._signals()):
            raise ValueError("with configmap: no target (it names one) and only an http reload")
        if self.target is not None and not str(self.path).startswith("/"):
            raise ValueError("path inside a container must be absolute")
        return self

    def _signals(self) -> bool:
        return self.reload is not None and self.reload.http is None

    def reload_spec(self) -> dict[str, Any] | None:
        return self.reload.model_dump(exclude_none=True) if self.reload else None


class ModelSwap(FaultDriver[ModelSwapParams]):
    """Swaps a model artifact for another; undo restores the original (digest-checked)."""

    kind = "model.swap"
    summary = "replace a model artifact (file or directory, local or in containers); undo: restore"

    def describe(self, params: ModelSwapParams) -> str:
        if params.configmap is not None:
            key = params.configmap
            return f"point {key.key} of configmap target {key.target} at {params.replacement}"
        where = f" in target {params.target}" if params.target else ""
        return f"swap model artifact {params.path}{where} for {params.replacement}"

    def plan(self, params: ModelSwapParams, ctx: DriverContext) -> UndoRecord:
        if params.configmap is not None:
            return model_swap_k8s.plan(
                params.configmap, params.replacement, params.reload_spec(), ctx
            )
        path = _artifact_path(params)
        artifacts = [_planned(path, container, ctx) for container in _containers(params, ctx)]
        data: dict[str, Any] = {
            "path": path,
            "artifacts": artifacts,
            "reload": params.reload_spec(),
        }
        shown = ", ".join(_where(path, a["container"], a["name"]) for a in artifacts)
        return UndoRecord(self.kind, data, f"restore {shown}")

    def apply(self, params: ModelSwapParams, ctx: DriverContext) -> None:
        if params.configmap is not None:
            model_swap_k8s.apply(params.configmap, params.replacement, params.reload_spec(), ctx)
            return
        record = self.plan(params, ctx)
        path = record.data["path"]
        replacement = tar_of(Path(params.replacement), Path(path).name)
        with self.undone_on_failure(record, ctx):
            for artifact in record.data["artifacts"]:
                _swap(path, artifact, replacement, record.data["reload"])

    def applied_evidence(
        self, params: ModelSwapParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """Each artifact's content digest now, against the original's and the replacement's."""
        if record is None:
            return None
        if params.configmap is not None:
            return model_swap_k8s.evidence(params.configmap, params.replacement, ctx)
        path = record.data["path"]
        wanted = tar_digest(tar_of(Path(params.replacement), Path(path).name))
        swapped = [a for a in record.data["artifacts"] if _digest_now(path, a) == wanted]
        total = len(record.data["artifacts"])
        summary = f"{len(swapped)} of {total} artifacts at {path} now hold the replacement"
        counters: dict[str, Counter] = {
            "artifacts": total,
            "swapped": len(swapped),
            "digest_now": wanted[:12],
        }
        return Evidence(bool(swapped), summary, counters)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        if "configmap" in record.data:
            model_swap_k8s.undo(record, ctx)
            return
        failures: list[str] = []
        for artifact in record.data["artifacts"]:
            try:
                _restore(record.data["path"], artifact, record.data.get("reload"))
            except ChaosMLError as exc:
                failures.append(exc.message)
        if failures:
            raise DriverError("; ".join(failures))


def _containers(params: ModelSwapParams, ctx: DriverContext) -> list[TargetMember | None]:
    if params.target is None:
        return [None]
    return list(ctx.target(params.target).members)


def _planned(path: str, member: TargetMember | None, ctx: DriverContext) -> dict[str, Any]:
    container = member.id if member else None
    name = member.name if member else None
    original = _store(container).read(path)
    if original is None:
        raise DriverError(f"model artifact {_where(path, container, name)} does not exist")
    return {
        "container": container,
        "name": name,
        "snapshot": _snapshot_path(path, ctx, name),
        "digest": tar_digest(original),
    }


def _swap(path: str, artifact: dict[str, Any], replacement: bytes, how: Any) -> None:
    store = _store(artifact["container"])
    original = store.read(path)
    if original is None:
        raise DriverError(
            f"model artifact {_where(path, artifact['container'], artifact['name'])} vanished"
        )
    write_atomic(Path(artifact["snapshot"]), original)
    store.replace(path, replacement)
    reload(how, artifact["container"])


def _restore(path: str, artifact: dict[str, Any], how: Any) -> None:
    store = _store(artifact["container"])
    where = _where(path, artifact["container"], artifact["name"])
    snapshot = Path(artifact["snapshot"])
    if not snapshot.exists():
        if _digest_now(path, artifact) == artifact["digest"]:
            return  # apply never wrote a snapshot here, or an earlier undo finished
        raise DriverError(f"cannot restore {where}: snapshot {snapshot} is missing")
    archive = read_bytes(snapshot)
    if tar_digest(archive) != artifact["digest"]:
        raise DriverError(
            f"refusing to restore {where}: snapshot {snapshot} does not match its recorded digest",
            hint="the snapshot was changed after it was taken; restore the model by hand",
        )
    store.replace(path, archive)
    if _digest_now(path, artifact) != artifact["digest"]:
        raise DriverError(f"restored {where} but its digest does not match the original's")
    snapshot.unlink()
    reload(how, artifact["container"])


def _digest_now(path: str, artifact: dict[str, Any]) -> str:
    current = _store(artifact["container"]).read(path)
    return tar_digest(current) if current is not None else "absent"


def _store(container: str | None) -> ArtifactStore:
    return ContainerStore(container) if container else LocalStore()


def _artifact_path(params: ModelSwapParams) -> str:
    path = str(params.path)
    if params.target:
        return path.rstrip("/") or "/"
    return str(Path(path).resolve())


def _where(path: str, container: str | None, name: str | None = None) -> str:
    return f"{path} in container {name or container}" if container else path


def _snapshot_path(path: str, ctx: DriverContext, container: str | None) -> str:
    inside = f"{container}-" if container else ""
    return ctx.snapshot_path("model-snapshots", f"{inside}{Path(path).name}.tar")
