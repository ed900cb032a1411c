"""Renewing the leases of a run's proxy toxics while the runner lives: a daemon thread that,
every third of the lease, moves each live toxic's ``chaosml_expires_at`` forward. When the
runner dies the renewals stop and the proxy removes the toxics by itself within a lease.

A toxic the run keeps on purpose (``--keep-faults``) gets ``chaosml_expires_at: 0`` when the run
ends: no lease, it stays until someone removes it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from chaosml.errors import ChaosMLError
from chaosml.proxy.toxics import LEASE_ATTRIBUTE
from chaosml.watchdog.lease import expires_at, lease_seconds

NO_LEASE = 0


@dataclass(frozen=True)
class LeasedToxics:
    api: str
    proxy: str
    names: tuple[str, ...]


def leased_toxics(undo: Any) -> LeasedToxics | None:
    """The toxics an undo record removes (proxy, feed and telemetry faults), if it is one."""
    data = undo.get("data") if isinstance(undo, dict) else None
    if not isinstance(data, dict):
        return None
    api, proxy, names = data.get("api"), data.get("proxy"), data.get("toxics")
    if not (isinstance(api, str) and isinstance(proxy, str) and isinstance(names, list)):
        return None
    return LeasedToxics(api, proxy, tuple(str(n) for n in names))


class LeaseRenewer:
    def __init__(self) -> None:
        self.interval = lease_seconds() / 3
        self._toxics: dict[str, LeasedToxics] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def track(self, undo_id: str, toxics: LeasedToxics) -> None:
        with self._lock:
            self._toxics[undo_id] = toxics
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="chaosml-leases", daemon=True)
            self._thread.start()

    def drop(self, undo_id: str) -> None:
        with self._lock:
            self._toxics.pop(undo_id, None)

    def stop(self, keep: Collection[str] = ()) -> None:
        """Stop renewing; the toxics of the undo ids in ``keep`` lose their lease (stay)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        with self._lock:
            kept = [t for undo_id, t in self._toxics.items() if undo_id in keep]
        for toxics in kept:
            _set_lease(toxics, NO_LEASE)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                live = list(self._toxics.values())
            for toxics in live:
                _set_lease(toxics, expires_at())


def _set_lease(toxics: LeasedToxics, value: float) -> None:
    # local: the proxy driver is imported by the runs that lease toxics, not by every run
    from chaosml.drivers.proxy_driver import ToxicFault
    from chaosml.drivers.toxiproxy_client import ToxiproxyClient

    client = ToxiproxyClient(toxics.api, token=ToxicFault.token_for(toxics.api), timeout=2.0)
    for name in toxics.names:
        with contextlib.suppress(ChaosMLError):  # gone already, or the proxy is down
            client.update_toxic(toxics.proxy, name, {"attributes": {LEASE_ATTRIBUTE: value}})
