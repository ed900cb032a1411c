"""Toxic leases, enforced by the proxy itself: a toxic whose ``chaosml_expires_at`` attribute (Unix
time, seconds) has passed is removed, checked every 200 ms. chaosml's runner renews the lease
of its toxics while it lives; when it dies (or its whole host does) the toxics go by themselves
within one lease. A toxic without the attribute, or with ``0``, has no lease (Toxiproxy's
behaviour)."""

from __future__ import annotations

import asyncio
import sys
import time

from chaosml.proxy.collection import ProxyCollection
from chaosml.proxy.toxics import LEASE_ATTRIBUTE, Toxic

SWEEP_EVERY_S = 0.2


def expired(toxic: Toxic, now: float) -> bool:
    value = toxic.attributes.get(LEASE_ATTRIBUTE)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return 0 < value <= now


def sweep(collection: ProxyCollection, now: float) -> list[tuple[str, str]]:
    """Remove every expired toxic; (proxy, toxic) for each one removed."""
    removed = []
    for proxy in list(collection.proxies.values()):
        for toxic in list(proxy.toxics.values()):
            if expired(toxic, now):
                proxy.remove_toxic(toxic.name)
                removed.append((proxy.name, toxic.name))
                print(
                    f"chaosml proxy: toxic {toxic.name} on proxy {proxy.name}: lease expired, "
                    "removed",
                    file=sys.stderr,
                    flush=True,
                )
    return removed


async def sweep_forever(collection: ProxyCollection) -> None:
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        sweep(collection, time.time())
