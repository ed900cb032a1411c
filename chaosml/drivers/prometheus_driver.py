"""Probe ``prometheus``: a PromQL value, instant or reduced over a window.

The only module importing ``prometheus_api_client``; its errors become chaosml errors here:

- connection refused, timeouts and 5xx answers are transient: retried with tenacity, then
  ``InfrastructureError`` naming the URL;
- a query Prometheus rejects (4xx) is a ``ProbeError`` quoting Prometheus's own message;
- empty, NaN and multi-series answers are ``ProbeError`` (see ``promql_result``);
- 401/403 and a failed TLS check are ``InfrastructureError`` worded by ``io.monitoring_http``
  (whose block — auth, headers, TLS, path prefix — the params carry).
"""

from __future__ import annotations

import ast
import json
import math
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from prometheus_api_client.exceptions import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from pydantic import Field
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from chaosml import redaction
from chaosml.contract.connection import Connection
from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.drivers.promql_result import Reduce, parse_result, reduce_points, select_series
from chaosml.errors import InfrastructureError, ProbeError
from chaosml.io import connection_errors, monitoring_http
from chaosml.model.types import Duration

ATTEMPTS = 3
WHAT = "Prometheus"
_STATUS = re.compile(r"HTTP Status Code (\d+)")


class PrometheusParams(Connection):
    query: str = Field(min_length=1)
    window: Duration | None = None  # seconds; set: a range query reduced by ``reduce``
    step: Duration | None = None  # seconds between range points; default window/100, at least 1s
    reduce: Reduce = "last"
    series: dict[str, str] | None = None  # labels selecting one series of several
    timeout: Duration = 5.0

    def range_step(self) -> float:
        if self.step is not None:
            return self.step
        return max((self.window or 0.0) / 100.0, 1.0)


class _Transient(InfrastructureError):
    """Unreachable, timed out or a 5xx answer: a retry may cure it."""


class PrometheusProbe(ProbeDriver[PrometheusParams]):
    kind: ClassVar[str] = "prometheus"
    summary: ClassVar[str] = (
        "a PromQL value: instant, or reduced (max/min/avg/last/pNN) over a window"
    )

    def sample(self, params: PrometheusParams, ctx: DriverContext) -> Sample:
        chosen = select_series(parse_result(fetch_result(params)), params.series)
        value = reduce_points(chosen.points, params.reduce)
        details: dict[str, Any] = {"labels": chosen.labels}
        if params.window is not None:
            details.update(points=len(chosen.points), reduce=params.reduce)
        return Sample(value=value, details=details)

    def describe(self, params: PrometheusParams) -> str:
        over = f" {params.reduce} over {params.window:g}s" if params.window is not None else ""
        return f"prometheus {params.query!r}{over} at {params.base_url}"


def fetch_result(p: PrometheusParams) -> Any:
    """The ``data.result`` of the query; transient failures retried, then InfrastructureError."""
    attempt: Callable[[PrometheusParams], Any] = retry(
        retry=retry_if_exception_type(_Transient),
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=0.1, max=1.0),
        reraise=True,
    )(_query_once)
    try:
        return attempt(p)
    except _Transient as exc:
        raise InfrastructureError(exc.message, hint=exc.hint) from exc.__cause__


def _query_once(p: PrometheusParams) -> Any:
    # retry=0: no hidden urllib3 retries; tenacity above is the one retry policy.
    session = monitoring_http.session(p)
    client = PrometheusConnect(url=p.base_url, timeout=p.timeout, retry=0, session=session)  # type: ignore[arg-type]
    try:
        return _run_query(client, p)
    except PrometheusApiClientException as exc:
        raise _rejected(p, str(exc)) from exc
    except (
        ValueError,
        KeyError,
        TypeError,
    ) as exc:  # bad URL, or an answer that is not Prometheus's
        raise InfrastructureError(
            f"cannot query Prometheus at {p.base_url}: {_short(exc)}",
            hint="check that the URL is a Prometheus server (http://host:9090)",
        ) from exc
    except OSError as exc:  # requests' connection errors and timeouts
        tls = connection_errors.tls_reason(exc)
        if tls is not None:
            raise monitoring_http.tls_failed(WHAT, p, tls) from exc
        raise _Transient(
            f"cannot reach Prometheus at {p.base_url}: {connection_errors.reason(exc)}",
            hint=f"is Prometheus running? check {p.base_url}/-/ready",
        ) from exc
    finally:
        client.close()
        session.close()


def _run_query(client: Any, p: PrometheusParams) -> Any:
    if p.window is None:
        return client.custom_query(p.query)
    # the client rounds start and end to whole seconds: end at the next second keeps the newest
    # sample in the range (Prometheus evaluates a future step with the latest sample).
    end = datetime.fromtimestamp(math.ceil(time.time()), UTC)
    start = end - timedelta(seconds=p.window)
    return client.custom_query_range(
        p.query, start_time=start, end_time=end, step=f"{p.range_step():g}"
    )


def _rejected(p: PrometheusParams, text: str) -> InfrastructureError | ProbeError:
    """A non-200 answer: 5xx is transient trouble, 4xx is a query Prometheus refused."""
    found = _STATUS.search(text)
    status = int(found.group(1)) if found else 0
    message = _error_message(text)
    if status >= 500 or status in (408, 429):
        return _Transient(f"Prometheus at {p.base_url} answered {status}: {message}")
    if monitoring_http.is_refusal(status, text):
        return monitoring_http.refused(WHAT, p, status)
    if status == 404:
        return InfrastructureError(
            f"{p.base_url} answered 404 to /api/v1/query: not a Prometheus server?",
            hint="the url is Prometheus's base URL, e.g. http://127.0.0.1:9090; a backend "
            "serving the API under a prefix needs path_prefix (docs/monitoring-sources.md)",
        )
    return ProbeError(f"Prometheus at {p.base_url} rejected the query {p.query!r}: {message}")


def _error_message(text: str) -> str:
    """Prometheus's ``error`` field out of the client's ``HTTP Status Code N (b'...')`` text."""
    start = text.find("(b")
    try:
        body = json.loads(ast.literal_eval(text[start + 1 : text.rindex(")")]))
        return str(body["error"])
    except (ValueError, SyntaxError, KeyError, TypeError):
        return _short(text)


def _short(exc: object) -> str:
    text = str(exc)
    return redaction.clip(text, 303)
