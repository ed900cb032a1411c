"""The one table of well-known Chaos Toolkit extension functions that become native steps.

Each entry maps ``(module, function)`` to a builder that turns the function's ``arguments``
into a chaosml fault, action or probe. Anything not listed here becomes a compatibility step
(``python`` probe or ``python.call`` action: ``--allow-python``). docs/migrating.md shows this
table; a test checks that the page lists every entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chaosml.ctk.report import Outcome


class TargetBook(Protocol):
    """Where a builder declares the blast-radius targets its step needs."""

    def add_target(self, stem: str, spec: dict[str, Any]) -> str: ...

    def add_namespace(self, namespace: str) -> None: ...

    def config_ref(self, key: str, default: str) -> str: ...


@dataclass
class Native:
    """One converted step: ``head`` is ``fault``, ``action`` or ``probe``."""

    head: str
    kind: str
    params: dict[str, Any]
    notes: list[tuple[Outcome, str]] = field(default_factory=list)
    covered_by_undo: bool = False  # e.g. deleting a toxic: chaosml's undo already does it
    expect: dict[str, Any] | None = None  # the check the function makes itself (it raises)


OPT_IN_NOTE = (
    "chaosml touches only what carries the label chaosml.io/allow=true (blast_radius "
    "require_label): label the targets, or waive it with require_label: null"
)
Builder = Callable[[dict[str, Any], TargetBook], Native | None]  # None: no native form


def _labels(selector: Any) -> dict[str, str]:
    """``app=model,tier=web`` → a mapping; only equality selectors are expressible."""
    out: dict[str, str] = {}
    for part in str(selector or "").split(","):
        key, sep, value = part.strip().partition("=")
        if sep and key and not key.endswith("!"):
            out[key.strip()] = value.lstrip("=").strip()
    return out


def _ns(args: dict[str, Any], book: TargetBook) -> str:
    namespace = str(args.get("ns", "default"))
    book.add_namespace(namespace)
    return namespace


def _terminate_pods(args: dict[str, Any], book: TargetBook) -> Native:
    namespace = _ns(args, book)
    spec: dict[str, Any] = {
        "k8s": {
            "kind": "pod",
            "namespace": namespace,
            "labels": _labels(args.get("label_selector")),
        }
    }
    notes: list[tuple[Outcome, str]] = [("native", OPT_IN_NOTE)]
    if not args.get("all") and args.get("qty") is not None:
        spec["count"] = int(args["qty"])
    if args.get("name_pattern"):
        notes.append(("dropped", "name_pattern: chaosml selects pods by labels"))
    params: dict[str, Any] = {"target": book.add_target("pods", spec)}
    if args.get("grace_period") not in (None, -1):
        params["grace_period"] = int(args["grace_period"])
    return Native("fault", "k8s.pod.delete", params, notes)


def _scale_deployment(args: dict[str, Any], book: TargetBook) -> Native:
    namespace = _ns(args, book)
    name = str(args.get("name", ""))
    selector = {"kind": "deployment", "namespace": namespace, "fields": f"metadata.name={name}"}
    target = book.add_target(f"deployment_{name}", {"k8s": selector})
    note: tuple[Outcome, str] = ("native", "chaosml restores the replica count by itself")
    return Native(
        "fault", "k8s.scale", {"target": target, "replicas": args.get("replicas")}, [note]
    )


def _pod_count(args: dict[str, Any], book: TargetBook) -> Native | None:
    if args.get("phase") not in (None, "", "Running"):
        return None  # chaosml counts all pods or the running ones
    field = "running_pods" if args.get("phase") == "Running" else "pods"
    params = {"namespace": _ns(args, book), "kind": "pod", "field": field}
    return Native("probe", "k8s", {**params, "selector": str(args.get("label_selector", ""))})


def _pod_not_available(args: dict[str, Any], book: TargetBook) -> Native:
    selector = str(args.get("label_selector", "name in ({name})")).format(name=args.get("name"))
    params = {"namespace": _ns(args, book), "kind": "pod", "field": "running_pods"}
    return Native("probe", "k8s", {**params, "selector": selector}, expect={"equals": 0})


def _deployment_partially_available(args: dict[str, Any], book: TargetBook) -> Native:
    params = {"namespace": _ns(args, book), "kind": "deployment", "name": str(args.get("name"))}
    params["field"] = "available_replicas"
    return Native("probe", "k8s", params, expect={"above": 0})


def _prometheus_query(args: dict[str, Any], book: TargetBook) -> Native:
    url = book.config_ref("prometheus_base_url", "http://127.0.0.1:9090")
    note: tuple[Outcome, str] = (
        "native",
        "the value is the query's number, not Prometheus' raw JSON: tolerances on "
        "$.data.result[0].value[1] become a check of that number",
    )
    return Native("probe", "prometheus", {"url": url, "query": str(args.get("query", ""))}, [note])


def _toxi_api(book: TargetBook) -> str:
    host = book.config_ref("toxiproxy_host", "127.0.0.1")
    port = book.config_ref("toxiproxy_port", "8474")
    return f"http://{host}:{port}"


def _toxic(kind: str, values: Callable[[dict[str, Any]], dict[str, Any]]) -> Builder:
    def build(args: dict[str, Any], book: TargetBook) -> Native:
        proxy = {"api": _toxi_api(book), "name": str(args.get("for_proxy", ""))}
        return Native("fault", kind, {"proxy": proxy, **values(args)})

    return build


def _delete_toxic(args: dict[str, Any], book: TargetBook) -> Native:
    return Native("action", "", {}, covered_by_undo=True)


def _docker(kind: str) -> Builder:
    def build(args: dict[str, Any], book: TargetBook) -> Native:
        name = str(args.get("name") or args.get("container_name") or args.get("container_id"))
        target = book.add_target(f"container_{name}", {"docker": {"name": f"^{name}$"}})
        return Native("fault", kind, {"target": target}, [("native", OPT_IN_NOTE)])

    return build


EXTENSIONS: dict[tuple[str, str], Builder] = {
    ("chaosk8s.pod.actions", "terminate_pods"): _terminate_pods,
    ("chaosk8s.deployment.actions", "scale_deployment"): _scale_deployment,
    ("chaosk8s.pod.probes", "count_pods"): _pod_count,
    ("chaosk8s.pod.probes", "pod_is_not_available"): _pod_not_available,
    ("chaosk8s.deployment.probes", "deployment_partially_available"): (
        _deployment_partially_available
    ),
    ("chaosprometheus.probes", "query"): _prometheus_query,
    ("chaostoxi.toxic.actions", "create_latency_toxic"): _toxic(
        "proxy.latency",
        lambda a: {
            "latency": float(a.get("latency", 0)) / 1000,
            "jitter": float(a.get("jitter", 0)) / 1000,
        },
    ),
    ("chaostoxi.toxic.actions", "create_timeout_toxic"): _toxic(
        "proxy.timeout", lambda a: {"timeout": float(a.get("timeout", 0)) / 1000}
    ),
    ("chaostoxi.toxic.actions", "create_bandwith_degradation_toxic"): _toxic(
        "proxy.bandwidth", lambda a: {"rate": int(a.get("rate", 0))}
    ),
    ("chaostoxi.toxic.actions", "delete_toxic"): _delete_toxic,
    ("chaosdocker.actions", "kill_container"): _docker("docker.kill"),
    ("chaosdocker.actions", "stop_container"): _docker("docker.stop"),
    ("chaosdocker.actions", "pause_container"): _docker("docker.pause"),
    ("chaosdocker.actions", "restart_container"): _docker("docker.restart"),
}


def lookup(module: str, func: str) -> Builder | None:
    return EXTENSIONS.get((module, func))
