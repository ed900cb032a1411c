"""Evidence of a proxy fault, from the ``stats`` chaosml's proxy keeps on each toxic.

A real Toxiproxy keeps no such counters: its toxics give no evidence (None), so the run passes
no verdict on them. Counters of a fault's toxics (one per stream) are summed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chaosml.contract.records import Evidence
from chaosml.feed.shares import share_counters, slice_summary

SKIPPED = "skipped:"


def toxic_evidence(proxy: dict[str, Any], names: list[str]) -> Evidence | None:
    """The evidence of the toxics called ``names``, from a proxy's JSON (``GET /proxies/{p}``);
    None for a real Toxiproxy (it has no ``protocol`` and keeps no stats) or toxics gone."""
    ours = [t for t in proxy.get("toxics") or [] if t.get("name") in names]
    if "protocol" not in proxy or not ours:
        return None
    counters = _summed(t.get("stats") or {} for t in ours)
    kind = str(ours[0].get("type"))
    if kind == "feed_corrupt":
        return feed_evidence(counters)
    if kind == "http_error":
        answered = int(counters.get("requests_answered", 0))
        summary = f"{answered} of {counters.get('requests', 0)} requests answered with an error"
        return Evidence(answered > 0, summary, counters)
    if kind == "blackhole":
        held = int(counters.get("requests_blackholed", 0))
        return Evidence(held > 0, f"{held} requests blackholed", counters)
    return _stream_evidence(kind, counters)


def _summed(stats: Iterable[dict[str, Any]]) -> dict[str, int | float | str]:
    total: dict[str, int | float | str] = {}
    for one in stats:
        for key, value in one.items():
            if isinstance(value, int):
                total[key] = int(total.get(key, 0)) + value
    return total


def feed_evidence(counters: dict[str, int | float | str]) -> Evidence:
    """``34 responses, 30 JSON, 120 records, 60 changed (60 fields) — 4 were non-JSON``."""
    responses = int(counters.get("responses", 0))
    changed = int(counters.get("records_changed", 0))
    summary = (
        f"{responses} responses, {counters.get('json_bodies', 0)} JSON, "
        f"{counters.get('records', 0)} records, {changed} changed"
    )
    if changed:
        summary += f" ({counters.get('fields_changed', 0)} fields)"
    if "slice_records" in counters:  # a where: slice: the shares overall and within it
        records, in_slice = int(counters.get("records", 0)), int(counters["slice_records"])
        summary += "; " + slice_summary(records, changed, in_slice, changed)
        counters = {**counters, **share_counters(records, changed, in_slice, changed)}
    skipped = {k[len(SKIPPED) :]: v for k, v in counters.items() if k.startswith(SKIPPED)}
    if skipped:
        summary += " — " + ", ".join(f"{n} {_were(reason)}" for reason, n in skipped.items())
    return Evidence(changed > 0, summary, counters)


def _were(reason: str) -> str:
    return f"had {reason}" if reason == "no body" else f"were {reason}"


def _stream_evidence(kind: str, counters: dict[str, int | float | str]) -> Evidence:
    connections = int(counters.get("connections", 0))
    moved = int(counters.get("bytes", 0))
    summary = f"{kind}: {connections} connections affected, {moved} bytes through the toxic"
    return Evidence(connections > 0, summary, counters)
