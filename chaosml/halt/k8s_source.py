"""A cluster-wide halt in a Kubernetes ConfigMap (``k8s://NAMESPACE/NAME``).

The ConfigMap's ``data`` holds the record (``halted: "true"``, ``reason``, ``user``, ``host``,
``at``); a missing ConfigMap, or ``halted: "false"``, is no halt. Cluster access as for every
``k8s`` driver (KUBECONFIG, --kube-context, in-cluster); runs need ``get`` on configmaps in
that namespace, ``chaosml halt`` also ``create``, ``patch`` and ``delete``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from chaosml.drivers import k8s_client
from chaosml.halt.record import HaltRecord, from_mapping
from chaosml.halt.sources import StoredHalt

T = TypeVar("T")


@dataclass
class ConfigMapSource(StoredHalt[dict[str, Any]]):
    namespace: str
    name: str
    scope: str = field(default="k8s", kw_only=True)
    noun: ClassVar[str] = "the halt ConfigMap"

    @property
    def where(self) -> str:
        return f"k8s://{self.namespace}/{self.name}"

    @property
    def ref(self) -> k8s_client.Ref:
        return k8s_client.ref_for("configmap", self.namespace, self.name)

    def _fetch(self) -> dict[str, Any] | None:
        return self._call(lambda api: api.get(self.ref))

    def _parse(self, found: dict[str, Any]) -> HaltRecord | None:
        return from_mapping(dict(found.get("data") or {}))

    def set(self, record: HaltRecord) -> None:
        data = {"halted": "true", **record.fields()}
        manifest = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "data": data,
        }

        def write(api: k8s_client.KubeApi) -> object:
            try:
                return api.create(manifest, self.namespace)
            except k8s_client.ConflictError:
                return api.json_patch(self.ref, [{"op": "add", "path": "/data", "value": data}])

        self._call(write)

    def clear(self) -> bool:
        was_set = self.read() is not None
        self._call(lambda api: api.delete(self.ref))
        return was_set

    def _call(self, work: Callable[[k8s_client.KubeApi], T]) -> T:
        return self._reach(lambda: work(k8s_client.KubeApi()))
