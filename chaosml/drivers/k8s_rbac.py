"""The least privilege an experiment needs on Kubernetes: ``chaosml k8s rbac`` (pure, no I/O).

Every k8s target, fault and probe of the experiments adds the verbs it uses on the resources it
touches, in the namespace it names; the result is one Role and one RoleBinding per namespace for
a ServiceAccount, and nothing more. Discovery (``/api``, ``/apis``) needs no grant: every
authenticated user has it (``system:discovery``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chaosml.drivers.k8s_client import KINDS
from chaosml.model import experiment as m

Rules = dict[str, dict[tuple[str, str], set[str]]]  # namespace -> (group, resource) -> verbs

_FAULT_VERBS: dict[str, list[tuple[str, list[str]]]] = {
    "k8s.pod.delete": [("pod", ["get", "delete"])],
    "k8s.pod.evict": [("pod", ["get"]), ("pods/eviction", ["create"])],
    "k8s.service.blackhole": [("service", ["get", "patch"])],
    "k8s.configmap.patch": [("configmap", ["get", "patch"])],
}
_PROBE_VERBS = {"pods": "list", "ready_pods": "list", "running_pods": "list", "restarts": "list"}


def _group_resource(word: str) -> tuple[str, str]:
    if word == "pods/eviction":
        return "", "pods/eviction"
    api_version, _, plural = KINDS[word]
    group = api_version.split("/")[0] if "/" in api_version else ""
    return group, plural


class RbacCollector:
    def __init__(self) -> None:
        self.rules: Rules = defaultdict(lambda: defaultdict(set))

    def grant(self, namespace: str, word: str, *verbs: str) -> None:
        self.rules[namespace][_group_resource(word)].update(verbs)

    def grant_raw(self, namespace: str, group: str, plural: str, *verbs: str) -> None:
        self.rules[namespace][(group, plural)].update(verbs)

    def experiment(self, exp: m.Experiment) -> None:
        kinds: dict[str, tuple[str, str]] = {}
        for name, spec in exp.blast_radius.targets.items():
            if spec.kind == "k8s":
                kinds[name] = self._target(spec.selector)
        for step in [*exp.method, *exp.rollbacks]:
            if isinstance(step, m.FaultStep | m.ActionStep):
                kind = step.fault if isinstance(step, m.FaultStep) else step.action
                self._fault(kind, step.params, kinds)
        probes = [*exp.steady_state, *exp.guards, *(exp.observe.metrics if exp.observe else [])]
        probes += [s.probe for s in exp.method if isinstance(s, m.ProbeStep)]
        for probe in probes:
            if probe.kind == "k8s":
                self._probe(probe.params)

    def _target(self, selector: Any) -> tuple[str, str]:
        namespace, word = selector.namespace, selector.kind
        self.grant(namespace, word, "list")
        if word == "pod":
            for owner in ("replicaset", "deployment", "statefulset"):
                self.grant(namespace, owner, "list")
        return namespace, word

    def _fault(self, kind: str, params: Any, targets: dict[str, tuple[str, str]]) -> None:
        target = targets.get(getattr(params, "target", ""))
        if kind in _FAULT_VERBS and target:
            for word, verbs in _FAULT_VERBS[kind]:
                self.grant(target[0], word, *verbs)
        elif kind == "k8s.scale" and target:
            self.grant(target[0], target[1], "get", "patch")
        elif kind == "k8s.networkpolicy.isolate" and target:
            self.grant(target[0], "networkpolicy", "create", "get", "delete")
            self.grant(target[0], target[1], "get", *(["patch"] if target[1] == "pod" else []))
        elif kind == "k8s.apply":
            self._apply(params)

    def _apply(self, params: Any) -> None:
        manifest = params.load()
        api_version, kind = str(manifest["apiVersion"]), str(manifest["kind"])
        group = api_version.split("/")[0] if "/" in api_version else ""
        plural = next(
            (p for v, k, p in KINDS.values() if (v, k) == (api_version, kind)), kind.lower() + "s"
        )
        self.grant_raw(params.namespace, group, plural, "create", "get", "delete")

    def _probe(self, params: Any) -> None:
        field = params.field
        if field == "events":
            self.grant(params.namespace, "event", "list")
        elif field in _PROBE_VERBS:
            self.grant(params.namespace, "pod", "list")
        elif field == "endpoints":
            self.grant(params.namespace, "endpoints", "get")
        else:
            self.grant(params.namespace, params.kind, "get")


def manifests(rules: Rules, account: str, account_namespace: str) -> list[dict[str, Any]]:
    """A Role and a RoleBinding per namespace, granting exactly the collected verbs."""
    out: list[dict[str, Any]] = []
    for namespace in sorted(rules):
        name = f"chaosml-{account}"
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": name, "namespace": namespace},
                "rules": [
                    {"apiGroups": [group], "resources": [plural], "verbs": sorted(verbs)}
                    for (group, plural), verbs in sorted(rules[namespace].items())
                ],
            }
        )
        out.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": name, "namespace": namespace},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [
                    {"kind": "ServiceAccount", "name": account, "namespace": account_namespace}
                ],
            }
        )
    return out
