"""How far an alert source's clock is from chaosml's (issue 21; docs/alerts.md).

- Prometheus: instant queries of ``time()`` (millisecond resolution, truncated), each timed on
  the local monotonic clock. Each bounds the offset (server time - chaosml's wall clock) to
  [T - received, T + 1 ms - sent]; ten of them are intersected: offset = the middle,
  uncertainty = half the width (at most half the round trip + half a millisecond).
- Alertmanager: the alerts it serves carry ``startsAt`` stamped by the Prometheus that sent
  them, so a Prometheus of the run that lists this Alertmanager among its active ones lends
  its offset (``feeds``). Otherwise the HTTP ``Date`` header: whole seconds, so each sample
  bounds the offset to an interval; a few samples spread over a second are intersected.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import quote, urlsplit

from chaosml.contract import connection
from chaosml.contract.connection import Connection
from chaosml.errors import ChaosMLError, InfrastructureError, ProbeError
from chaosml.io import monitoring_http

SAMPLES = 10
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
    """The offset from the reading with the shortest round trip. The server's time is truncated
    to ``resolution`` (Prometheus: milliseconds), so its true value is half a step later."""
    best = min(readings, key=lambda r: r.rtt_s)
    middle = best.sent_wall + best.rtt_s / 2
    spread = best.rtt_s / 2 + resolution / 2
    return ClockOffset(best.server_time + resolution / 2 - middle, spread, method, best.rtt_s)


def bounded_offset(readings: list[Reading], resolution: float, method: str) -> ClockOffset:
    """The offset from server times truncated to ``resolution``: each reading bounds it (the
    server's true time was in [T, T + resolution) while the request was out), and the readings'
    bounds intersect — narrower than any one reading when their phases differ."""
    low = max(r.server_time - (r.sent_wall + r.rtt_s) for r in readings)
    high = min(r.server_time + resolution - r.sent_wall for r in readings)
    if low > high:  # inconsistent readings (a clock step): the best single reading
        return precise_offset(readings, resolution, method)
    rtt = min(r.rtt_s for r in readings)
    return ClockOffset((low + high) / 2, (high - low) / 2, method, rtt)


def whole_second_offset(readings: list[Reading], method: str) -> ClockOffset:
    return bounded_offset(readings, 1.0, method)


def measure_prometheus(conn: Connection, samples: int = SAMPLES) -> ClockOffset:
    with TimeQuery(conn) as query:
        readings = [timed(query.server_time) for _ in range(samples)]
    return bounded_offset(readings, 0.001, "prometheus time()")


def measure_date_header(conn: Connection, samples: int = DATE_SAMPLES) -> ClockOffset:
    readings = []
    for index in range(samples):
        if index:
            time.sleep(1.0 / samples)  # spread over a second: the Date ticks narrow the bounds
        readings.append(timed(lambda: date_header_time(conn)))
    return whole_second_offset(readings, "HTTP Date header")


class TimeQuery:
    """Instant ``time()`` queries on one kept-alive connection: a round trip of a tenth of a
    millisecond on loopback, where a full HTTP client adds milliseconds of jitter."""

    def __init__(self, source: Connection) -> None:
        self.url = source.base_url
        parts = urlsplit(self.url)
        self.path = (parts.path.rstrip("/") or "") + "/api/v1/query?query=time()"
        self.headers = connection.request_headers(source)
        self.conn: HTTPConnection = (
            HTTPSConnection(
                str(parts.hostname),
                parts.port,
                timeout=TIMEOUT,
                context=monitoring_http.ssl_context(source),
            )
            if parts.scheme == "https"
            else HTTPConnection(str(parts.hostname), parts.port, timeout=TIMEOUT)
        )

    def __enter__(self) -> TimeQuery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def server_time(self) -> float:
        """Prometheus's own time: the timestamp of the answer (milliseconds, truncated)."""
        try:
            self.conn.request("GET", self.path, headers=self.headers)
            body = self.conn.getresponse().read()
        except (OSError, HTTPException) as exc:
            raise InfrastructureError(f"cannot read the time of {self.url}: {exc}") from exc
        try:
            return time_answer(json.loads(body)["data"]["result"])
        except (TypeError, KeyError, IndexError, ValueError):
            raise ProbeError(f"{self.url} gave no time() answer: {body[:200]!r}") from None


def time_answer(result: Any) -> float:
    """The server's time in a ``time()`` answer: Prometheus's scalar ``[t, "t"]``, or the one
    series VictoriaMetrics answers (``[{"metric": {}, "value": [whole seconds, "t.mmm"]}]``)."""
    if isinstance(result[0], dict):
        return float(result[0]["value"][1])
    return float(result[0])


def date_header_time(source: Connection) -> float:
    resp = monitoring_http.request("Alertmanager", source, "GET", "/-/healthy", timeout=TIMEOUT)
    date = {k.lower(): v for k, v in resp.headers.items()}.get("date")
    if not date:
        raise ProbeError(f"{source.base_url} sent no Date header")
    return parsedate_to_datetime(date).timestamp()


def feeds(prometheus: Connection, alertmanager_url: str) -> bool:
    """True when that Prometheus sends its alerts to that Alertmanager (same host and port)."""
    api = "/api/v1/alertmanagers"
    try:
        answer = monitoring_http.request("Prometheus", prometheus, "GET", api, timeout=TIMEOUT)
        payload = answer.json()
        active = payload["data"]["activeAlertmanagers"]
    except (TypeError, KeyError, ChaosMLError):
        return False
    wanted = _host_port(alertmanager_url)
    return any(_host_port(str(item.get("url", ""))) == wanted for item in active)


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    return quote(f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}")
