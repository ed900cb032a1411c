"""A proxy toxic's lease: the Unix time after which the proxy removes the toxic by itself.

chaosml's proxy honours ``chaosml_expires_at`` on any toxic (docs/proxy.md); a Toxiproxy drops
the attribute, and there ``chaosml reap`` removes the toxics of runs that are gone. The runner
renews the lease of its toxics while it lives (``renewer``), every third of the lease.
"""

from __future__ import annotations

import os
import time
from typing import Any

from chaosml.proxy.toxics import LEASE_ATTRIBUTE

LEASE_ENV = "CHAOSML_LEASE_SECONDS"
DEFAULT_LEASE_S = 30.0
MIN_LEASE_S = 0.5


def lease_seconds(environ: dict[str, str] | None = None) -> float:
    """The lease a toxic gets: ``CHAOSML_LEASE_SECONDS`` (at least 0.5 s), 30 s by default."""
    raw = (os.environ if environ is None else environ).get(LEASE_ENV, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_LEASE_S
    except ValueError:
        return DEFAULT_LEASE_S
    return max(MIN_LEASE_S, value) if value == value else DEFAULT_LEASE_S  # NaN: the default


def expires_at(now: float | None = None) -> float:
    return round((time.time() if now is None else now) + lease_seconds(), 3)


def leased(toxic: dict[str, Any]) -> dict[str, Any]:
    """``toxic`` (an API create body) with a fresh lease among its attributes."""
    attributes = dict(toxic.get("attributes") or {})
    attributes[LEASE_ATTRIBUTE] = expires_at()
    return {**toxic, "attributes": attributes}
