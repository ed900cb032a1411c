"""``chaosml reap --k8s``: delete the Kubernetes objects chaosml runs created and left behind.

``k8s.apply`` and ``k8s.networkpolicy.isolate`` label what they create with the run id
(``chaosml.run_id``) and annotate it with an expiry (``chaosml.io/expires-at``, RFC 3339 UTC).
This reaper searches every namespaced kind the API server serves that can be listed and
deleted (API discovery: built-in kinds and custom resources such as Chaos Mesh's
``NetworkChaos``), in the namespaces given (or all), for objects carrying the label, and deletes
those whose expiry is past — with the uid read as the delete's precondition, so an object
replaced in the meantime is not deleted. It never touches an object without the label, without
a readable expiry, with a future expiry, or whose run is still alive on this host (its runner or
its watchdog, per the host's run index).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from chaosml.contract.context import RUN_ID_LABEL
from chaosml.drivers.k8s_client import (
    ForbiddenError,
    KubeApi,
    Resource,
    namespaced_resources,
    ref_of,
)
from chaosml.drivers.k8s_objects import EXPIRES_ANNOTATION
from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.watchdog import runs
from chaosml.watchdog.reap import ReapOptions, ReapReport, remove_expired, run_alive


def reap_expired(options: ReapOptions, report: ReapReport) -> None:
    client = options.kube_api or KubeApi()
    try:
        kinds, problems = namespaced_resources(client)
        report.left.extend(problems)  # an aggregated API that is down: said, not a failure
        live = live_runs(options)
        for obj in _chaosml_objects(client, kinds, options.namespaces, report):
            _reap_object(client, obj, live, options, report)
    except InfrastructureError as exc:
        report.unreachable.append(exc.message)


def _chaosml_objects(
    client: KubeApi, kinds: list[Resource], namespaces: list[str], report: ReapReport
) -> Iterator[dict[str, Any]]:
    """Every object labelled with a run id, once (an object two groups serve: events)."""
    seen: set[str] = set()
    scopes: list[str | None] = [*namespaces] or [None]  # None: all namespaces
    for resource in kinds:
        for namespace in scopes:
            for obj in _labelled(client, resource, namespace, report):
                uid = str((obj.get("metadata") or {}).get("uid", ""))
                if uid not in seen:
                    seen.add(uid)
                    yield obj


def live_runs(options: ReapOptions) -> dict[str, str]:
    """Run id -> why it is alive, for the runs of this host whose runner or watchdog lives."""
    alive: dict[str, str] = {}
    for _, entry in runs.entries(options.runs_dir):
        if entry is None or entry.host != os.uname().nodename:
            continue
        if run_alive(entry.pid, entry.pid_start):
            alive[entry.run_id] = f"its runner (pid {entry.pid}) is alive"
        elif entry.watchdog_pid and run_alive(entry.watchdog_pid, entry.watchdog_start):
            alive[entry.run_id] = f"its watchdog (pid {entry.watchdog_pid}) is alive"
    return alive


def _labelled(
    client: KubeApi, resource: Resource, namespace: str | None, report: ReapReport
) -> list[dict[str, Any]]:
    what = f"{resource.plural} ({resource.api_version}) in {namespace or 'all namespaces'}"
    try:
        return client.list_labelled(resource, namespace, RUN_ID_LABEL)
    except InfrastructureError:
        raise
    except ForbiddenError as exc:  # the reaper's Role names the kinds the drills create
        report.left.append(f"{what} not searched: {exc.message}")
        return []
    except ChaosMLError as exc:
        report.failed.append(f"{what} not searched: {exc.message}")
        return []


def _reap_object(
    client: KubeApi,
    obj: dict[str, Any],
    live: dict[str, str],
    options: ReapOptions,
    report: ReapReport,
) -> None:
    meta = obj.get("metadata") or {}
    ref = ref_of(obj)
    run_id = str((meta.get("labels") or {}).get(RUN_ID_LABEL, ""))
    stamp = str((meta.get("annotations") or {}).get(EXPIRES_ANNOTATION, ""))
    what = f"{ref.kind.lower()}/{ref.namespace}/{ref.name} (run {run_id}"
    expiry = parse_expiry(stamp)
    if expiry is None:
        report.left.append(f"{what}): no readable {EXPIRES_ANNOTATION} ({stamp!r})")
        return
    if expiry > options.now:
        return  # not expired: its run may still be going, nothing to say
    if run_id in live:
        report.left.append(f"{what}, expired since {stamp}): {live[run_id]}")
        return
    ago = options.now - expiry
    line = f"{what}, expired since {stamp}, {ago:.0f}s ago)"
    uid = str(meta.get("uid", ""))  # an object replaced since it was listed is not deleted
    remove_expired(options, report, line, lambda: client.delete(ref, uid=uid), verb="delete")


def parse_expiry(stamp: str) -> float | None:
    """Seconds since the epoch of an RFC 3339 time with a zone; None when it is not one."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).timestamp()
