"""How far an alert source's clock is from chaosml's (issue 21; docs/alerts.md).

- Prometheus: an instant query of ``time()`` (millisecond resolution), timed on the local
  monotonic clock. offset = server time - the request's midpoint on chaosml's wall clock;
  uncertainty = half the round trip (+ half the resolution). The sample with the shortest
  round trip of a few wins.
- Alertmanager: the alerts it serves carry ``startsAt`` stamped by the Prometheus that sent
  them, so a Prometheus of the run that lists this Alertmanager among its active ones lends
  its offset (``feeds``). Otherwise the HTTP ``Date`` header: whole seconds, so each sample
  bounds the offset to an interval; a few samples spread over a second are intersected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from chaosml.drivers import http_client
from chaosml.errors import ChaosMLError, ProbeError

SAMPLES = 5
DATE_SAMPLES = 4
TIMEOUT = 2.0


@dataclass(frozen=True)
class ClockOffset:
    offset_s: float  # the source's clock minus chaosml's
    uncertainty_s: float  # |true offset - offset_s| is at most this
    method: str
    rtt_s: float

    def to_local(self, source_time: float) -> float:
        return source_time - self.offset_s

    def to_json(self) -> dict[str, Any]:
        return {
            "offset_s": round(self.offset_s, 6),
            "uncertainty_s": round(self.uncertainty_s, 6),
            "method": self.method,
            "rtt_s": round(self.rtt_s, 6),
        }


@dataclass(frozen=True)
class Reading:
    """One timed request: chaosml's wall time when it left, its round trip, the server's time."""

    sent_wall: float
    rtt_s: float
    server_time: float


Timed = Callable[[], Reading]


def timed(get_server_time: Callable[[], float]) -> Reading:
    """Run one request; its send time on the wall clock and round trip on the monotonic one."""
    wall, start = time.time(), time.monotonic()
    server = get_server_time()
    return Reading(wall, time.monotonic() - start, server)


def precise_offset(readings: list[Reading], resolution: float, method: str) -> ClockOffset:
    """The offset from the reading with the shortest round trip."""
    best = min(readings, key=lambda r: r.rtt_s)
    middle = best.sent_wall + best.rtt_s / 2
    spread = best.rtt_s / 2 + resolution / 2
    return ClockOffset(best.server_time - middle, spread, method, best.rtt_s)


def whole_second_offset(readings: list[Reading], method: str) -> ClockOffset:
    """The offset from truncated whole-second server times: the intersection of the intervals
    each reading allows (server time in [D, D+1) during the request)."""
    low = max(r.server_time - (r.sent_wall + r.rtt_s) for r in readings)
    high = min(r.server_time + 1.0 - r.sent_wall for r in readings)
    rtt = min(r.rtt_s for r in readings)
    if low > high:  # inconsistent readings (a clock step): fall back to one reading's interval
        return precise_offset(readings, 1.0, method)
    return ClockOffset((low + high) / 2, (high - low) / 2, method, rtt)


def measure_prometheus(url: str, samples: int = SAMPLES) -> ClockOffset:
    readings = [timed(lambda: prometheus_time(url)) for _ in range(samples)]
    return precise_offset(readings, 0.001, "prometheus time()")


def measure_date_header(url: str, samples: int = DATE_SAMPLES) -> ClockOffset:
    readings = []
    for index in range(samples):
        if index:
            time.sleep(1.0 / samples)  # spread over a second: the Date ticks narrow the bounds
        readings.append(timed(lambda: date_header_time(url)))
    return whole_second_offset(readings, "HTTP Date header")


def prometheus_time(url: str) -> float:
    """Prometheus's own time: the timestamp of an instant ``time()`` query."""
    resp = http_client.request("GET", f"{url}/api/v1/query?query=time()", timeout=TIMEOUT)
    try:
        return float(resp.json()["data"]["result"][0])
    except (TypeError, KeyError, IndexError, ValueError):
        raise ProbeError(f"{url} gave no time() answer: {resp.text[:200]!r}") from None


def date_header_time(url: str) -> float:
    resp = http_client.request("GET", f"{url}/-/healthy", timeout=TIMEOUT)
    date = {k.lower(): v for k, v in resp.headers.items()}.get("date")
    if not date:
        raise ProbeError(f"{url} sent no Date header")
    return parsedate_to_datetime(date).timestamp()


def feeds(prometheus_url: str, alertmanager_url: str) -> bool:
    """True when that Prometheus sends its alerts to that Alertmanager (same host and port)."""
    api = f"{prometheus_url}/api/v1/alertmanagers"
    try:
        payload = http_client.request("GET", api, timeout=TIMEOUT).json()
        active = payload["data"]["activeAlertmanagers"]
    except (TypeError, KeyError, ChaosMLError):
        return False
    wanted = _host_port(alertmanager_url)
    return any(_host_port(str(item.get("url", ""))) == wanted for item in active)


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    return quote(f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}")
