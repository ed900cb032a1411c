"""Field changes on Kubernetes objects with write-ahead undo data that never clobbers.

``k8s.scale``, ``k8s.service.blackhole`` and ``k8s.configmap.patch`` all set one or more fields
of existing objects. Each change is a ``FieldChange``: the object (kind, namespace, name, uid),
its resourceVersion when the fault was planned, a JSON pointer, the exact previous value (or
``absent``) and the value the fault sets. It is journaled before the change is made.

The undo reads the object again and restores the previous value only while the field still
holds what the fault set, in one JSON patch that also tests the resourceVersion it read (so a
change made in between is a conflict, not an overwrite). When the field already holds the
previous value there is nothing to do (a second ``chaosml rollback`` is a no-op). When anything
else is there — or the object was deleted or re-created — the undo refuses with an
``UndoError`` naming the object and what differs, and the run ends 6.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from chaosml.drivers.k8s_client import ConflictError, KubeApi, Ref
from chaosml.errors import DriverError, UndoError

ABSENT: dict[str, bool] = {"$absent": True}  # JSON-able marker of a field that did not exist


@dataclass(frozen=True)
class FieldChange:
    ref: Ref
    uid: str
    resource_version: str
    path: str  # JSON pointer, e.g. /spec/replicas
    previous: Any
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "api_version": self.ref.api_version,
            "kind": self.ref.kind,
            "namespace": self.ref.namespace,
            "name": self.ref.name,
            "uid": self.uid,
            "resource_version": self.resource_version,
            "path": self.path,
            "previous": self.previous,
            "value": self.value,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FieldChange:
        ref = Ref(str(raw["api_version"]), str(raw["kind"]), str(raw["namespace"]), raw["name"])
        return cls(
            ref,
            str(raw["uid"]),
            str(raw.get("resource_version", "")),
            str(raw["path"]),
            raw.get("previous"),
            raw.get("value"),
        )


def pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def read(obj: dict[str, Any], path: str) -> Any:
    """The value at a JSON pointer, or ``ABSENT``."""
    node: Any = obj
    for raw in path.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def plan_change(obj: dict[str, Any], path: str, value: Any) -> FieldChange:
    meta = obj.get("metadata") or {}
    ref = Ref(obj["apiVersion"], obj["kind"], str(meta.get("namespace", "")), meta["name"])
    return FieldChange(
        ref, str(meta["uid"]), str(meta.get("resourceVersion", "")), path, read(obj, path), value
    )


def apply_changes(api: KubeApi, changes: Sequence[FieldChange]) -> None:
    """Set every change's value, object by object; on a failure restore what was set, raise."""
    done: list[FieldChange] = []
    for ref, group in _by_object(changes):
        try:
            obj = _require(api, ref, group[0].uid)
            api.json_patch(ref, _set_operations(obj, group))
        except DriverError:
            for change in done:
                _restore_quietly(api, change)
            raise
        done.extend(group)


def undo_changes(api: KubeApi, changes: Sequence[FieldChange]) -> None:
    """Restore every change that still holds the fault's value; refuse the ones that do not."""
    refusals: list[str] = []
    for change in changes:
        try:
            restore(api, change)
        except UndoError as exc:
            refusals.append(exc.message)
    if refusals:
        raise UndoError("; ".join(refusals), hint=_PERSON_HINT)


_PERSON_HINT = "someone changed it after the fault: check the object and restore it by hand"


def restore(api: KubeApi, change: FieldChange) -> None:
    obj = api.get(change.ref)
    uid = str(((obj or {}).get("metadata") or {}).get("uid", ""))
    if obj is None or uid != change.uid:
        what = "deleted" if obj is None else "deleted and re-created"
        raise UndoError(f"{change.ref} was {what} since the fault; not restored")
    current = read(obj, change.path)
    if current == change.previous:
        return  # already restored
    if current != change.value:
        raise UndoError(
            f"{change.ref} changed since the fault: {change.path} is {_shown(current)}, the fault "
            f"set {_shown(change.value)}; not overwritten (the undo would restore "
            f"{_shown(change.previous)})"
        )
    version = str(obj["metadata"].get("resourceVersion", ""))
    operations = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": version},
        _restore_operation(change),
    ]
    try:
        api.json_patch(change.ref, operations)
    except ConflictError as exc:
        raise UndoError(f"{change.ref} changed while the undo ran; not overwritten") from exc
    except DriverError as exc:
        if "test" in exc.message.lower():
            raise UndoError(f"{change.ref} changed while the undo ran; not overwritten") from exc
        raise


def _restore_operation(change: FieldChange) -> dict[str, Any]:
    if change.previous == ABSENT:
        return {"op": "remove", "path": change.path}
    return {"op": "add", "path": change.path, "value": change.previous}


def _set_operations(obj: dict[str, Any], group: Sequence[FieldChange]) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = [
        {"op": "test", "path": "/metadata/uid", "value": group[0].uid}
    ]
    for change in group:
        parent = change.path.rsplit("/", 1)[0]
        if parent and read(obj, parent) in (ABSENT, None):
            operations.append({"op": "add", "path": parent, "value": {}})
            obj = {**obj}  # the parent exists from here on for the next keys
            _put(obj, parent)
        operations.append({"op": "add", "path": change.path, "value": change.value})
    return operations


def _put(obj: dict[str, Any], path: str) -> None:
    node = obj
    for part in path.split("/")[1:]:
        node[part] = dict(node.get(part) or {})
        node = node[part]


def _restore_quietly(api: KubeApi, change: FieldChange) -> None:
    with suppress(DriverError, UndoError):  # the apply's own error is what the run reports
        restore(api, change)


def _require(api: KubeApi, ref: Ref, uid: str) -> dict[str, Any]:
    obj = api.get(ref)
    if obj is None or str(obj["metadata"].get("uid")) != uid:
        raise DriverError(f"{ref} was deleted or re-created before the fault could change it")
    return obj


def _by_object(changes: Sequence[FieldChange]) -> list[tuple[Ref, list[FieldChange]]]:
    groups: dict[Ref, list[FieldChange]] = {}
    for change in changes:
        groups.setdefault(change.ref, []).append(change)
    return list(groups.items())


def _shown(value: Any) -> str:
    return "absent" if value == ABSENT else repr(value)
