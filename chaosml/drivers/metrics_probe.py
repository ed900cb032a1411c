"""Probe ``metrics``: one series read straight from a ``/metrics`` exposition, no Prometheus.

The only module importing ``prometheus_client`` (for its text-format parser). The scraped
endpoint is part of the system under test, so a scrape that fails — refused, timed out, not
200, not the text format — is a ``ProbeError``: the probe's expectation fails, the tool did not.
Credentials refused or a failed TLS check are the connection block's fault: exit 5.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from prometheus_client.parser import text_string_to_metric_families
from pydantic import Field

from chaosml import redaction
from chaosml.contract.connection import Connection
from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.drivers.promql_result import format_labels, labels_match
from chaosml.errors import InfrastructureError, ProbeError
from chaosml.io import monitoring_http
from chaosml.io.monitoring_http import SourceRefused
from chaosml.model.types import Duration

_SHOWN = 10


class MetricsParams(Connection):
    # the sample name as exposed, e.g. model_requests_total or latency_seconds_bucket
    name: str = Field(min_length=1)
    labels: dict[str, str] = {}
    timeout: Duration = 5.0


class MetricsProbe(ProbeDriver[MetricsParams]):
    kind: ClassVar[str] = "metrics"
    summary: ClassVar[str] = "one series scraped from a /metrics exposition (no Prometheus needed)"

    def sample(self, params: MetricsParams, ctx: DriverContext) -> Sample:
        labels, value = read_series(scrape(params, params.timeout), params.name, params.labels)
        return Sample(value=value, details={"labels": labels})

    def describe(self, params: MetricsParams) -> str:
        labels = format_labels(params.labels) if params.labels else ""
        return f"metrics {params.name}{labels} at {params.base_url}"


def scrape(conn: Connection, timeout: float) -> str:
    """The exposition text at the connection's URL."""
    url = conn.base_url
    try:
        resp = monitoring_http.request(
            "metrics endpoint", conn, "GET", "", timeout=timeout, retries=1
        )
    except SourceRefused:
        raise
    except InfrastructureError as exc:
        raise ProbeError(f"cannot scrape {url}: {exc.message}") from exc
    if resp.status != 200:
        raise ProbeError(
            f"scraping {url} answered {resp.status}: {redaction.clip(resp.text, 200, '')!r}"
        )
    return resp.text


def read_series(text: str, name: str, labels: dict[str, str]) -> tuple[dict[str, str], float]:
    """Labels and value of the one sample named ``name`` carrying ``labels``."""
    found = [(s.labels, float(s.value)) for s in _samples(text) if s.name == name]
    chosen = [(lbl, value) for lbl, value in found if labels_match(lbl, labels)]
    what = name + (format_labels(labels) if labels else "")
    if not chosen:
        known = f"; series named {name}: {_listing(found)}" if found else ""
        raise ProbeError(f"no series {what} in the exposition{known}")
    if len(chosen) > 1:
        raise ProbeError(f"{len(chosen)} series match {what}: {_listing(chosen)}; add labels")
    if math.isnan(chosen[0][1]):
        raise ProbeError(f"series {what} is NaN")
    return chosen[0]


def _samples(text: str) -> list[Any]:
    try:
        return [s for family in text_string_to_metric_families(text) for s in family.samples]
    except (ValueError, TypeError, IndexError) as exc:
        raise ProbeError(f"not a Prometheus text exposition: {exc}") from exc


def _listing(found: list[tuple[dict[str, str], float]]) -> str:
    shown = ", ".join(format_labels(lbl) for lbl, _ in found[:_SHOWN])
    return shown + (f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else "")
