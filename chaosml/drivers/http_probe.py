"""Probe ``http``: status, body, JSON and latency of one HTTP request."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.errors import InfrastructureError, ProbeError
from chaosml.io import http_client
from chaosml.model.types import Duration


class HttpParams(Params):
    url: str = Field(pattern=r"^https?://")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    body: str | None = None
    timeout: Duration = 5.0
    retries: int = Field(default=2, ge=0, le=10)
    measure: Literal["body", "status", "latency"] = "body"


class HttpProbe(ProbeDriver[HttpParams]):
    """Sends one request. ``value`` is the JSON body (or text); with ``measure: latency`` it is
    the response time in seconds, with ``measure: status`` the status code."""

    kind = "http"
    summary = "status, latency, body and JSON of an HTTP request"

    def sample(self, params: HttpParams, ctx: DriverContext) -> Sample:
        resp = _request(params, ctx.remaining(params.timeout))
        parsed = resp.json()
        value = {
            "body": parsed if parsed is not None else resp.text,
            "status": resp.status,
            "latency": resp.elapsed_s,
        }[params.measure]
        details = {"latency_s": round(resp.elapsed_s, 6), "url": params.url}
        return Sample(value=value, status=resp.status, text=resp.text, json=parsed, details=details)

    def describe(self, params: HttpParams) -> str:
        return f"{params.method} {params.url}"


def _request(params: HttpParams, timeout: float) -> http_client.HttpResponse:
    """The service under test not answering is what the probe observed, not a tool failure."""
    try:
        return http_client.request(
            params.method,
            params.url,
            json=params.json_body,
            body=params.body,
            headers=params.headers,
            timeout=timeout,  # never past the probe's deadline
            retries=params.retries,
        )
    except InfrastructureError as exc:
        raise ProbeError(exc.message) from exc
