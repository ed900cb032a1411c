"""``chaosml reap``: what runs that are gone left behind, found without their journal's path
being known — for a CronJob, or after a host lost both a runner and its watchdog.

1. **Runs of this host** (the index in ``runs``): a run whose runner and watchdog are both gone
   and whose journal still has pending undos is rolled back exactly as ``chaosml rollback``
   would (same lock, same per-run rules; ``by: reap``) and closed with ``run.end``
   (``ended_by: reap``). Docker containers paused or stopped by such a run are restored this
   way: Docker cannot add a label to an existing container, so the run id is in the journal's
   undo record, not on the container.
2. **Toxics whose lease expired**, on each proxy API given with ``--proxy`` (chaosml's proxy
   removes them by itself; this covers a proxy that restarted its sweeper late, and shows them).
3. **Kubernetes objects whose expiry is past** (``--k8s``, in the namespaces given or all):
   objects labelled ``chaosml.run_id`` by ``k8s.apply``/``k8s.networkpolicy.isolate`` whose
   ``chaosml.io/expires-at`` is past and whose run is not alive on this host (``reap_k8s``).
4. **Other reapers** registered in ``REAPERS`` — the extension point for kinds whose objects
   carry the run id and an expiry themselves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chaosml.drivers.k8s_client import KubeApi
from chaosml.drivers.toxiproxy_client import ToxiproxyClient
from chaosml.errors import ChaosMLError
from chaosml.io import procfs
from chaosml.journal.reader import load_events
from chaosml.proxy.toxics import LEASE_ATTRIBUTE
from chaosml.watchdog import runs
from chaosml.watchdog.takeover import find_run, roll_back_run


@dataclass
class ReapOptions:
    dry_run: bool = False
    proxies: list[str] = field(default_factory=list)  # proxy API URLs
    runs_dir: Path | None = None
    now: float = field(default_factory=time.time)
    k8s: bool = False  # sweep Kubernetes for expired chaosml objects
    namespaces: list[str] = field(default_factory=list)  # with k8s; empty: every namespace
    kube_api: KubeApi | None = None  # with k8s; None: the cluster of KUBECONFIG/--kube-context


@dataclass
class ReapReport:
    done: list[str] = field(default_factory=list)  # what was removed or undone
    would: list[str] = field(default_factory=list)  # --dry-run: what would be
    left: list[str] = field(default_factory=list)  # left alone, and why
    failed: list[str] = field(default_factory=list)  # could not be removed: needs a person
    unreachable: list[str] = field(default_factory=list)  # a backend did not answer


Reaper = Callable[[ReapOptions, ReapReport], None]


def reap(options: ReapOptions) -> ReapReport:
    report = ReapReport()
    for reaper in REAPERS:
        reaper(options, report)
    return report


# -- runs of this host --------------------------------------------------------------------------
def reap_runs(options: ReapOptions, report: ReapReport) -> None:
    for path, entry in runs.entries(options.runs_dir):
        if entry is None:
            report.left.append(f"{path}: not a run entry, left alone")
        else:
            _reap_run(entry, options, report)


def _reap_run(entry: runs.RunEntry, options: ReapOptions, report: ReapReport) -> None:
    journal = Path(entry.journal)
    if entry.host != os.uname().nodename:
        report.left.append(f"run {entry.run_id}: ran on host {entry.host}; reap it there")
        return
    if run_alive(entry.pid, entry.pid_start):
        report.left.append(f"run {entry.run_id}: still running (pid {entry.pid})")
        return
    if entry.watchdog_pid and run_alive(entry.watchdog_pid, entry.watchdog_start):
        report.left.append(f"run {entry.run_id}: its watchdog (pid {entry.watchdog_pid}) is on it")
        return
    try:
        run = find_run(journal, entry.run_id) if journal.exists() else None
    except ChaosMLError as exc:
        report.failed.append(f"run {entry.run_id}: {exc.message}")
        return
    if run is None or (run.ended and not run.pending):
        _forget(entry, options, report, "nothing pending")
        return
    if options.dry_run:
        undos = ", ".join(f"{p.undo_id} ({p.record.description})" for p in run.pending)
        report.would.append(f"run {entry.run_id} ({journal}): undo {undos or 'nothing'}")
        return
    _roll_back(entry, journal, report, options)


def _roll_back(
    entry: runs.RunEntry, journal: Path, report: ReapReport, options: ReapOptions
) -> None:
    try:
        result = roll_back_run(journal, entry.run_id, _last_wall(journal), by="reap")
    except ChaosMLError as exc:
        report.failed.append(f"run {entry.run_id} ({journal}): {exc.message}")
        return
    undone = ", ".join(result.reverted) if result else ""
    report.done.append(f"run {entry.run_id} ({journal}): undid {undone or 'nothing'}")
    if result is not None and result.failed:
        report.failed.extend(f"{undo_id}: {error}" for undo_id, error in result.failed)
    else:
        _forget(entry, options, report, "")


def _forget(entry: runs.RunEntry, options: ReapOptions, report: ReapReport, why: str) -> None:
    if options.dry_run:
        report.would.append(f"run {entry.run_id}: forget it ({why})")
        return
    runs.forget(entry.run_id, options.runs_dir)
    if why:
        report.done.append(f"run {entry.run_id}: forgotten ({why})")


def run_alive(pid: int, start: str) -> bool:
    return procfs.alive(pid) and procfs.start_time(pid) == start


def _last_wall(journal: Path) -> float:
    """When the dead run last wrote (about when it died)."""
    walls = [e.wall for e in load_events(journal) if e.wall is not None]
    return max(walls) if walls else time.time()


# -- toxics whose lease expired ---------------------------------------------------------------
def reap_toxics(options: ReapOptions, report: ReapReport) -> None:
    for api in options.proxies:
        client = ToxiproxyClient(api)
        try:
            listed = client.proxies()
        except ChaosMLError as exc:
            report.unreachable.append(exc.message)
            continue
        for proxy, body in listed.items():
            for toxic in (body or {}).get("toxics") or []:
                _reap_toxic(client, str(proxy), toxic, options, report)


def _reap_toxic(
    client: ToxiproxyClient,
    proxy: str,
    toxic: dict[str, object],
    options: ReapOptions,
    report: ReapReport,
) -> None:
    attributes = toxic.get("attributes")
    expiry = attributes.get(LEASE_ATTRIBUTE) if isinstance(attributes, dict) else None
    name = str(toxic.get("name"))
    if not isinstance(expiry, int | float) or not 0 < expiry <= options.now:
        return
    ago = options.now - expiry
    what = f"toxic {name} on proxy {proxy} at {client.api} (lease expired {ago:.1f}s ago)"
    remove_expired(options, report, what, lambda: client.remove_toxic(proxy, name))


def remove_expired(
    options: ReapOptions,
    report: ReapReport,
    what: str,
    remove: Callable[[], object],
    verb: str = "remove",
) -> None:
    """Remove one expired thing, or with ``--dry-run`` say it would be ("{verb} {what}");
    "{verb}d {what}" when done, a failure in the report's ``failed``."""
    if options.dry_run:
        report.would.append(f"{verb} {what}")
        return
    try:
        remove()
    except ChaosMLError as exc:
        report.failed.append(f"{what}: {exc.message}")
        return
    report.done.append(f"{verb}d {what}")


# -- Kubernetes objects whose expiry is past --------------------------------------------------
def reap_k8s(options: ReapOptions, report: ReapReport) -> None:
    if options.k8s:
        from chaosml.watchdog.reap_k8s import reap_expired  # imports this module

        reap_expired(options, report)


REAPERS: list[Reaper] = [reap_runs, reap_toxics, reap_k8s]
"""Run in order by ``reap``. A driver whose objects carry the run id and an expiry (Kubernetes:
label ``chaosml.run_id``, annotation ``chaosml.io/expires-at``: ``reap_k8s``) has its reaper
here; each reaper does nothing unless its options ask for it."""
