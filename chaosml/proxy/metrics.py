"""The proxy's own counters and their Prometheus text exposition (served at ``/metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class ProxyMetrics:
    """Counters of one proxy; plain integers, bumped on the event loop thread."""

    connections_total: int = 0
    connections_active: int = 0
    bytes_upstream: int = 0
    bytes_downstream: int = 0
    toxics_active: int = 0
    records_corrupted: int = 0
    non_json_bodies: int = 0
    http_errors_injected: int = 0


Reader = Callable[[ProxyMetrics], list[tuple[str, int]]]
_P = "chaosml_proxy_"
_FAMILIES: list[tuple[str, str, str, Reader]] = [
    (_P + "connections_total", "counter", "Client connections accepted.",
     lambda m: [("", m.connections_total)]),
    (_P + "connections_active", "gauge", "Client connections open now.",
     lambda m: [("", m.connections_active)]),
    (_P + "bytes_total", "counter", "Bytes forwarded, by direction.",
     lambda m: [(',direction="upstream"', m.bytes_upstream),
                (',direction="downstream"', m.bytes_downstream)]),
    (_P + "toxics_active", "gauge", "Toxics installed on the proxy.",
     lambda m: [("", m.toxics_active)]),
    (_P + "records_corrupted_total", "counter", "Feed records changed by feed_corrupt.",
     lambda m: [("", m.records_corrupted)]),
    (_P + "non_json_bodies_total", "counter", "Bodies feed_corrupt passed untouched (not JSON).",
     lambda m: [("", m.non_json_bodies)]),
    (_P + "http_errors_injected_total", "counter", "Responses replaced by http_error.",
     lambda m: [("", m.http_errors_injected)]),
]  # fmt: skip


def render(per_proxy: dict[str, ProxyMetrics]) -> str:
    """The Prometheus text exposition of every proxy's counters."""
    lines: list[str] = []
    for name, kind, help_text, read in _FAMILIES:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for proxy, metrics in sorted(per_proxy.items()):
            label = f'proxy="{_escape(proxy)}"'
            lines += [f"{name}{{{label}{extra}}} {value}" for extra, value in read(metrics)]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
