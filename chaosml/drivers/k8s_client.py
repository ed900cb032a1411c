"""The one place chaosml imports the ``kubernetes`` client; its errors become chaosml errors here.

``KubeApi`` is a thin, typed face of the Kubernetes API over the official client's dynamic
client: every call takes and returns plain dictionaries (the objects as the API serves them)
and raises only chaosml errors:

- the API server cannot be reached, or there is no cluster configuration
  -> ``InfrastructureError`` (exit 5) naming the server and how chaosml found it;
- 403 -> ``DriverError`` naming the verb and the resource that is not allowed (and
  ``chaosml k8s rbac`` as the way to a Role that allows it);
- 404 -> ``None`` from ``get``/``delete``; 409 -> ``ConflictError``; anything else the API
  refuses -> ``DriverError`` with the server's message.

Cluster access the Kubernetes way: ``KUBECONFIG`` (or ``~/.kube/config``) and its current
context, or the context named by ``CHAOSML_KUBE_CONTEXT`` (``--kube-context``); inside a pod
without a kubeconfig, the service account's in-cluster configuration. The client is built
lazily, on the first call, and shared by every thread of the process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chaosml import redaction
from chaosml.errors import DriverError, InfrastructureError

CONTEXT_ENV = "CHAOSML_KUBE_CONTEXT"
# Every request: at most 5 s to connect (TCP and the TLS handshake) and 8 s for each read, and
# never asked again after a timeout (``_retries``): a lost API server fails a call within 8 s,
# inside a probe's default 10 s and an undo's 30 s, with an error naming the server.
API_TIMEOUT = (5.0, 8.0)
RBAC_HINT = "grant it with the Role printed by 'chaosml k8s rbac EXPERIMENT'"
REACH_HINT = (
    "is the API server up (`kubectl cluster-info`)? Do KUBECONFIG and --kube-context name it?"
)

# The kinds chaosml names by a short word, as (apiVersion, Kind, plural resource).
KINDS: dict[str, tuple[str, str, str]] = {
    "pod": ("v1", "Pod", "pods"),
    "deployment": ("apps/v1", "Deployment", "deployments"),
    "statefulset": ("apps/v1", "StatefulSet", "statefulsets"),
    "replicaset": ("apps/v1", "ReplicaSet", "replicasets"),
    "service": ("v1", "Service", "services"),
    "configmap": ("v1", "ConfigMap", "configmaps"),
    "networkpolicy": ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
    "event": ("v1", "Event", "events"),
    "endpoints": ("v1", "Endpoints", "endpoints"),
    "namespace": ("v1", "Namespace", "namespaces"),
}


class ConflictError(DriverError):
    """The object changed since it was read (409): nothing was written."""


class ForbiddenError(DriverError):
    """RBAC does not allow the call (403)."""


@dataclass(frozen=True)
class Ref:
    """One object: what a journal needs to find it again."""

    api_version: str
    kind: str  # the API's Kind, e.g. "Deployment"
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind.lower()} {self.namespace}/{self.name}"


def ref_for(word: str, namespace: str, name: str) -> Ref:
    api_version, kind, _ = KINDS[word]
    return Ref(api_version, kind, namespace, name)


def ref_of(obj: dict[str, Any]) -> Ref:
    meta = obj.get("metadata") or {}
    return Ref(
        str(obj.get("apiVersion", "")),
        str(obj.get("kind", "")),
        str(meta.get("namespace", "")),
        str(meta.get("name", "")),
    )


class KubeApi:
    """Typed calls to the Kubernetes API with chaosml errors."""

    def list_objects(
        self, word: str, namespace: str, labels: str = "", fields: str = ""
    ) -> list[dict[str, Any]]:
        api_version, kind, plural = KINDS[word]
        with translated("list", plural, namespace):
            found = _resource(api_version, kind).get(
                namespace=namespace,
                label_selector=labels or None,
                field_selector=fields or None,
                _request_timeout=API_TIMEOUT,
                serialize=False,
            )
            items = _json(found).get("items") or []
        for item in items:
            item.setdefault("apiVersion", api_version)
            item.setdefault("kind", kind)
        return [dict(item) for item in items]

    def get(self, ref: Ref) -> dict[str, Any] | None:
        with translated("get", _plural(ref), ref.namespace, missing_ok=True) as box:
            raw = _resource(ref.api_version, ref.kind).get(
                name=ref.name,
                namespace=ref.namespace or None,
                _request_timeout=API_TIMEOUT,
                serialize=False,
            )
            box.value = _json(raw)
        found: dict[str, Any] | None = box.value
        return found

    def create(self, manifest: dict[str, Any], namespace: str) -> dict[str, Any]:
        ref = ref_of(manifest)
        with translated("create", _plural(ref), namespace):
            created = _resource(ref.api_version, ref.kind).create(
                body=manifest, namespace=namespace, _request_timeout=API_TIMEOUT
            )
            return dict(created.to_dict())

    def json_patch(self, ref: Ref, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """An RFC 6902 patch; a failed ``test`` operation or a stale version is a conflict."""
        with translated("patch", _plural(ref), ref.namespace):
            patched = _resource(ref.api_version, ref.kind).patch(
                body=operations,
                name=ref.name,
                namespace=ref.namespace or None,
                content_type="application/json-patch+json",
                _request_timeout=API_TIMEOUT,
            )
            return dict(patched.to_dict())

    def delete(
        self, ref: Ref, uid: str = "", grace_s: int | None = None, dry_run: bool = False
    ) -> bool:
        """Delete the object (only the one with ``uid``, when given); False when it was gone."""
        body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if uid:
            body["preconditions"] = {"uid": uid}
        if grace_s is not None:
            body["gracePeriodSeconds"] = grace_s
        if dry_run:
            body["dryRun"] = ["All"]
        with translated("delete", _plural(ref), ref.namespace, missing_ok=True) as box:
            _resource(ref.api_version, ref.kind).delete(
                name=ref.name,
                namespace=ref.namespace or None,
                body=body,
                _request_timeout=API_TIMEOUT,
            )
            box.value = True
        return bool(box.value)

    def evict(self, namespace: str, name: str, grace_s: int | None) -> bool:
        """Evict a pod through the Eviction API (PodDisruptionBudgets are honoured)."""
        body: dict[str, Any] = {
            "apiVersion": _eviction_version(),
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": namespace},
        }
        if grace_s is not None:
            body["deleteOptions"] = {"gracePeriodSeconds": grace_s}
        with translated("create", "pods/eviction", namespace, missing_ok=True) as box:
            _client().request(
                "post",
                f"/api/v1/namespaces/{namespace}/pods/{name}/eviction",
                body=body,
                _request_timeout=API_TIMEOUT,
            )
            box.value = True
        return bool(box.value)

    def preferred_group_versions(self) -> list[str]:
        """The preferred ``group/version`` of every API group (discovery: ``/apis``)."""
        with translated("discover", "the API groups", ""):
            listed = _get_json("/apis")
        preferred = [(g.get("preferredVersion") or {}) for g in listed.get("groups") or []]
        return [str(p["groupVersion"]) for p in preferred if p.get("groupVersion")]

    def group_resources(self, group_version: str) -> list[Resource]:
        """The namespaced kinds of one group version that can be listed and deleted."""
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        with translated("discover", f"the resources of {group_version}", ""):
            listed = _get_json(path)
        return [
            Resource(group_version, str(r["kind"]), str(r["name"]))
            for r in listed.get("resources") or []
            if r.get("namespaced")
            and "/" not in str(r.get("name"))  # not a subresource
            and {"list", "delete"} <= set(r.get("verbs") or [])
        ]

    def list_labelled(
        self, resource: Resource, namespace: str | None, labels: str
    ) -> list[dict[str, Any]]:
        """The objects of one kind matching a label selector, in one namespace or in all."""
        with translated("list", resource.plural, namespace or ""):
            listed = _get_json(resource.path(namespace), label_selector=labels)
        items = [dict(item) for item in listed.get("items") or []]
        for item in items:
            item.setdefault("apiVersion", resource.api_version)
            item.setdefault("kind", resource.kind)
        return items

    def dry_run_create(self, manifest: dict[str, Any], namespace: str) -> None:
        """Server-side dry run: the API server validates and admits the object, stores nothing."""
        ref = ref_of(manifest)
        with translated("create", _plural(ref), namespace):
            _resource(ref.api_version, ref.kind).create(
                body=manifest, namespace=namespace, dry_run="All", _request_timeout=API_TIMEOUT
            )


@dataclass(frozen=True)
class Resource:
    """One kind of object the API server serves (``plural`` as in the API's paths)."""

    api_version: str
    kind: str
    plural: str

    def path(self, namespace: str | None) -> str:
        base = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        where = f"/namespaces/{namespace}" if namespace else ""
        return f"{base}{where}/{self.plural}"


def namespaced_resources(api: KubeApi) -> tuple[list[Resource], list[str]]:
    """Every namespaced kind that can be listed and deleted, in the preferred version of each
    API group (built-in kinds and custom resources alike, as API discovery lists them), and the
    groups whose discovery failed (an aggregated API that is down), as messages."""
    groups = ["v1", *api.preferred_group_versions()]
    found: list[Resource] = []
    problems: list[str] = []
    for group_version in groups:
        try:
            found.extend(api.group_resources(group_version))
        except InfrastructureError:
            raise
        except DriverError as exc:
            problems.append(f"API group {group_version} not searched: {exc.message}")
    return found, problems


def _json(response: Any) -> dict[str, Any]:
    """The object a raw response carries (plain JSON: no ResourceInstance wrapping, which costs
    more than the request itself for hundreds of pods)."""
    import json

    found = json.loads(response.data.decode("utf-8"))
    return dict(found) if isinstance(found, dict) else {}


def _get_json(path: str, **params: Any) -> dict[str, Any]:
    response = _client().request(
        "get", path, serialize=False, _request_timeout=API_TIMEOUT, **params
    )
    return _json(response)


@dataclass
class _Box:
    value: Any = None


@contextmanager
def translated(
    verb: str, resource: str, namespace: str, missing_ok: bool = False, at: str = ""
) -> Iterator[_Box]:
    """Turn client and socket errors raised inside the block into chaosml errors."""
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config.config_exception import ConfigException
    from urllib3.exceptions import HTTPError

    box = _Box()
    try:
        yield box
    except ApiException as exc:
        if exc.status == 404 and missing_ok:
            return
        raise _api_error(exc, verb, resource, namespace) from exc
    except ConfigException as exc:
        raise InfrastructureError(
            f"no Kubernetes cluster configuration: {exc}", hint=REACH_HINT
        ) from exc
    except (HTTPError, OSError) as exc:
        raise InfrastructureError(
            f"cannot reach the Kubernetes API server at {at or server()} ({_short(str(exc))})",
            hint=REACH_HINT,
        ) from exc


def _api_error(exc: Any, verb: str, resource: str, namespace: str) -> DriverError:
    where = f" in namespace {namespace}" if namespace else ""
    said = _short(_message(exc))
    if exc.status == 403:
        return ForbiddenError(
            f"forbidden: chaosml may not {verb} {resource}{where} (the API server said: {said})",
            hint=RBAC_HINT,
        )
    if exc.status == 409:
        return ConflictError(f"conflict on {resource}{where}: {said}")
    if exc.status == 401:
        return InfrastructureError(f"the Kubernetes API server refused the credentials: {said}")
    if exc.status in {500, 502, 503, 504}:
        return InfrastructureError(f"the Kubernetes API server failed ({exc.status}): {said}")
    return DriverError(f"Kubernetes refused to {verb} {resource}{where} ({exc.status}): {said}")


def _message(exc: Any) -> str:
    import json

    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    try:
        message = json.loads(body or "").get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message or body or getattr(exc, "reason", "") or exc)


def _plural(ref: Ref) -> str:
    for api_version, kind, plural in KINDS.values():
        if (api_version, kind) == (ref.api_version, ref.kind):
            return plural
    return ref.kind.lower() + "s"


def _short(text: str) -> str:
    return redaction.clip(text, 303)


def config_source() -> str:
    """Where the cluster configuration comes from: a kubeconfig path, or 'in-cluster'."""
    path = os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    first = path.split(os.pathsep)[0]
    if Path(first).exists() or not os.environ.get("KUBERNETES_SERVICE_HOST"):
        return path
    return "in-cluster"


def context_name() -> str | None:
    return os.environ.get(CONTEXT_ENV) or None


def server() -> str:
    try:
        return str(_client().configuration.host)
    except Exception:
        return f"the cluster of {config_source()}"


def _client() -> Any:
    return _client_for(config_source(), context_name())


@lru_cache(maxsize=4)
def _client_for(source: str, context: str | None) -> Any:
    from kubernetes import client, config
    from kubernetes.dynamic import DynamicClient

    configuration = client.Configuration()
    with translated("read", "the cluster configuration", ""):
        if source == "in-cluster":
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        else:
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=source, context=context, client_configuration=configuration
            )
    configuration.retries = _retries()

    class BoundedApiClient(client.ApiClient):
        """Every call bounded, the client's own (discovery) too: they set no timeout."""

        def call_api(
            self,
            method: Any,
            url: Any,
            header_params: Any = None,
            body: Any = None,
            post_params: Any = None,
            _request_timeout: Any = None,
        ) -> Any:
            bounded = _request_timeout or API_TIMEOUT
            return super().call_api(method, url, header_params, body, post_params, bounded)

    with translated("discover", "the API groups", "", at=str(configuration.host)):
        return DynamicClient(BoundedApiClient(configuration), cache_file=_no_cache_file())  # type: ignore[no-untyped-call]


def _retries() -> Any:
    """One retry for a connection that broke (a pooled one the server closed), none after a
    timeout: a server that did not answer in time is not waited for twice (with a plain retry a
    GET took twice its timeout, so an undo's whole 30 s went in one call)."""
    from urllib3.exceptions import MaxRetryError, TimeoutError
    from urllib3.util.retry import Retry

    class RetryUnlessTimedOut(Retry):
        def increment(
            self,
            method: Any = None,
            url: Any = None,
            response: Any = None,
            error: Any = None,
            _pool: Any = None,
            _stacktrace: Any = None,
        ) -> Any:
            if isinstance(error, TimeoutError):
                raise MaxRetryError(_pool, url, error)
            return super().increment(method, url, response, error, _pool, _stacktrace)

    return RetryUnlessTimedOut(total=1)


def _no_cache_file() -> str:
    """Discovery stays in memory, per process: the client's default is a file in /tmp shared
    by every user and every cluster that had the same address. A path in a directory that is
    never created makes the client skip writing it (it ignores a failed write)."""
    import secrets
    import tempfile

    return str(Path(tempfile.gettempdir()) / f"chaosml-unused-{secrets.token_hex(16)}" / "d.json")


@lru_cache(maxsize=64)
def _resource_for(source: str, context: str | None, api_version: str, kind: str) -> Any:
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    try:
        return _client_for(source, context).resources.get(api_version=api_version, kind=kind)
    except ResourceNotFoundError:
        raise DriverError(
            f"the API server at {server()} serves no {kind} in {api_version}"
        ) from None


def _resource(api_version: str, kind: str) -> Any:
    return _resource_for(config_source(), context_name(), api_version, kind)


@lru_cache(maxsize=4)
def _eviction_version_for(source: str, context: str | None) -> str:
    """policy/v1 where served (1.22+), else policy/v1beta1 (1.20, 1.21)."""
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    try:
        _client_for(source, context).resources.get(
            api_version="policy/v1", kind="PodDisruptionBudget"
        )
    except ResourceNotFoundError:
        return "policy/v1beta1"
    return "policy/v1"


def _eviction_version() -> str:
    return _eviction_version_for(config_source(), context_name())


def reset_clients() -> None:
    """Forget the clients built so far (a test that starts another cluster)."""
    _client_for.cache_clear()
    _resource_for.cache_clear()
    _eviction_version_for.cache_clear()


class UsesKube:
    """A driver that talks to a Kubernetes API: its own ``KubeApi``, or the one given (tests
    pass ``k8s_fake.FakeKubeApi``)."""

    def __init__(self, api: KubeApi | None = None) -> None:
        self.api = api or KubeApi()
