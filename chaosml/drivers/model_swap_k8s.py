"""``model.swap`` on Kubernetes: the model path a ConfigMap key holds (the model server reads
its artifact from there) is pointed at another artifact (``with``: a path the pods can read —
a stale model, one that produces NaN — baked into the image or on a volume).

The change itself is ``k8s.configmap.patch``'s (the key's previous value recorded before the
change, restored exactly, a key the fault added removed); ``model.swap`` adds the optional HTTP
``reload`` after apply and after undo, so the server picks the path up at once. The undo record
keeps the patch's own record, so ``chaosml rollback JOURNAL`` restores it in a new process.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers.k8s_faults import ConfigMapParams, K8sConfigMapPatch
from chaosml.drivers.model_swap_reload import reload


class ConfigMapKey(Params):
    target: str = Field(description="a blast-radius target of kind configmap")
    key: str = Field(min_length=1, description="the key that holds the model's path")


def _patch(key: ConfigMapKey, replacement: str) -> ConfigMapParams:
    return ConfigMapParams(target=key.target, data={key.key: replacement})


def plan(key: ConfigMapKey, replacement: str, how: Any, ctx: DriverContext) -> UndoRecord:
    inner = K8sConfigMapPatch().plan(_patch(key, replacement), ctx)
    assert inner is not None  # a configmap patch always records what it changes
    data = {"configmap": {"kind": inner.kind, "data": inner.data}, "reload": how}
    return UndoRecord("model.swap", data, f"{inner.description} (model path in {key.key})")


def apply(key: ConfigMapKey, replacement: str, how: Any, ctx: DriverContext) -> None:
    K8sConfigMapPatch().apply(_patch(key, replacement), ctx)
    reload(how, None)


def undo(record: UndoRecord, ctx: DriverContext) -> None:
    inner = record.data["configmap"]
    K8sConfigMapPatch().undo(UndoRecord(inner["kind"], inner["data"], ""), ctx)
    reload(record.data.get("reload"), None)


def evidence(key: ConfigMapKey, replacement: str, ctx: DriverContext) -> Evidence:
    """Whether each configmap of the target now names the replacement under the key."""
    changes = K8sConfigMapPatch().changes(_patch(key, replacement), ctx)
    held = sum(1 for c in changes if c.previous == c.value)  # already the replacement
    summary = f"{held} of {len(changes)} configmap(s) name {replacement} under {key.key}"
    return Evidence(bool(changes) and held == len(changes), summary, {})
