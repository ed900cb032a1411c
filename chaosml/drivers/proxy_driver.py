"""Proxy faults: ``proxy.latency``, ``proxy.bandwidth``, ``proxy.timeout``, ``proxy.reset``,
``proxy.http_error``.

Each fault adds toxics through the Toxiproxy API (chaosml's proxy or a real Toxiproxy; the
HTTP toxics need chaosml's). Toxics are named ``chaosml-<run_id>-<n>``; the undo record holds
the API URL, the proxy and those names, and the undo removes exactly them (a toxic already gone
counts as removed). A token is never written to the record: the undo takes it from the
fault's ``proxy.token`` in the same process, or from ``CHAOSML_PROXY_TOKEN``. Every toxic carries
a lease (``chaosml_expires_at``, see ``chaosml.watchdog.lease``) the runner renews while it lives.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers.base import FaultDriver, P
from chaosml.drivers.toxic_evidence import toxic_evidence
from chaosml.drivers.toxiproxy_client import ToxiproxyClient
from chaosml.durations import format_duration
from chaosml.errors import InfrastructureError
from chaosml.model.types import Duration
from chaosml.watchdog.lease import leased

Direction = Literal["downstream", "upstream", "both"]


DEFAULT_API = "http://127.0.0.1:8474"


class ProxyRef(Params):
    """Which proxy: its API URL and name; ``token`` when the API requires one. Without ``api``
    the name is an ephemeral proxy of the experiment (``proxies:``), else the default API."""

    api: str | None = None
    name: str
    token: str | None = None

    def api_url(self, ctx: DriverContext) -> str:
        return self.api or ctx.proxies.get(self.name) or DEFAULT_API

    def is_ephemeral(self, ctx: DriverContext) -> bool:
        return self.api is None and self.name in ctx.proxies


class ToxicParams(Params):
    proxy: ProxyRef
    direction: Direction = "downstream"
    percent: float = Field(default=100.0, ge=0, le=100, description="share of connections hit")


def toxic_names(ctx: DriverContext, count: int) -> list[str]:
    """The names of one step's toxics: the same in plan() and apply() (``ctx.fault_id``)."""
    step = ctx.fault_id or "x"
    return [f"chaosml-{ctx.run_id}-{step}-{n}" for n in range(1, count + 1)]


TP = TypeVar("TP", bound=ToxicParams)  # a stream toxic's parameters


class ToxicFault(FaultDriver[P]):
    """Adds toxics on plan-time names; undo removes exactly those names."""

    _tokens: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def toxics(self, params: P, ctx: DriverContext) -> list[dict[str, Any]]:
        """The toxics to add (type, stream, toxicity, attributes), without names."""

    @abstractmethod
    def proxy_of(self, params: P) -> ProxyRef:
        """The proxy the toxics go on."""

    def plan(self, params: P, ctx: DriverContext) -> UndoRecord:
        ref = self.proxy_of(params)
        names = toxic_names(ctx, len(self.toxics(params, ctx)))
        data = {
            "api": ref.api_url(ctx),
            "proxy": ref.name,
            "toxics": names,
            "ephemeral": ref.is_ephemeral(ctx),
        }
        return UndoRecord(
            self.kind, data, f"remove toxics {', '.join(names)} from proxy {ref.name}"
        )

    def apply(self, params: P, ctx: DriverContext) -> None:
        ref = self.proxy_of(params)
        names = toxic_names(ctx, len(self.toxics(params, ctx)))
        api = ref.api_url(ctx)
        client = ToxiproxyClient(api, token=ref.token)
        if ref.token:
            self._tokens[api] = ref.token
        added: list[str] = []
        try:
            for name, toxic in zip(names, self.toxics(params, ctx), strict=True):
                client.add_toxic(ref.name, leased({"name": name, **toxic}))
                added.append(name)
        except Exception:
            for name in added:
                client.remove_toxic(ref.name, name)
            raise

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        """What the toxics did, from the stats chaosml's proxy keeps (none on Toxiproxy)."""
        api = str(record.data["api"])
        proxy = ToxiproxyClient(api, token=self._tokens.get(api)).proxy(str(record.data["proxy"]))
        return toxic_evidence(proxy, [str(n) for n in record.data["toxics"]])

    @classmethod
    def token_for(cls, api: str) -> str | None:
        """The token a fault of this process used on ``api`` (never journaled)."""
        return cls._tokens.get(api)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        api = str(record.data["api"])
        client = ToxiproxyClient(api, token=self._tokens.get(api))
        try:
            for name in reversed(record.data["toxics"]):
                client.remove_toxic(str(record.data["proxy"]), str(name))
        except InfrastructureError:
            if not record.data.get("ephemeral"):
                raise
            # an ephemeral proxy lived in the runner: gone with it, and its toxics with it


class StreamToxicFault(ToxicFault[TP]):
    """A TCP toxic on one or both streams, with ``percent`` as Toxiproxy's toxicity."""

    toxic_type: ClassVar[str]

    def attributes(self, params: TP) -> dict[str, Any]:
        """The toxic's attributes: the parameters a stream toxic adds to ``ToxicParams``, in
        Toxiproxy's units (durations, which are floats in seconds, in milliseconds; KB/s)."""
        own = params.model_dump(exclude=set(ToxicParams.model_fields))
        return {name: _ms(v) if isinstance(v, float) else v for name, v in own.items()}

    def proxy_of(self, params: TP) -> ProxyRef:
        return params.proxy

    def toxics(self, params: TP, ctx: DriverContext) -> list[dict[str, Any]]:
        streams = ["downstream", "upstream"] if params.direction == "both" else [params.direction]
        return [
            {
                "type": self.toxic_type,
                "stream": stream,
                "toxicity": params.percent / 100.0,
                "attributes": self.attributes(params),
            }
            for stream in streams
        ]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class LatencyParams(ToxicParams):
    latency: Duration
    jitter: Duration = 0.0


class ProxyLatency(StreamToxicFault[LatencyParams]):
    """Delays traffic through the proxy by ``latency`` (± ``jitter``)."""

    kind = "proxy.latency"
    summary = "delay traffic through a proxy; undo: remove the toxic"
    toxic_type = "latency"

    def describe(self, params: LatencyParams) -> str:
        jitter = f" ±{format_duration(params.jitter)}" if params.jitter else ""
        latency = format_duration(params.latency)
        return f"add {latency}{jitter} latency ({params.direction}) on proxy {params.proxy.name}"


class BandwidthParams(ToxicParams):
    rate: int = Field(ge=0, description="KB/s (1 KB = 1000 bytes), as in Toxiproxy")


class ProxyBandwidth(StreamToxicFault[BandwidthParams]):
    """Throttles traffic through the proxy to ``rate`` KB/s."""

    kind = "proxy.bandwidth"
    summary = "throttle a proxy to a rate in KB/s; undo: remove the toxic"
    toxic_type = "bandwidth"


class TimeoutParams(ToxicParams):
    timeout: Duration = Field(default=0.0, description="close after this; 0 holds data forever")


class ProxyTimeout(StreamToxicFault[TimeoutParams]):
    """Stalls connections: no data passes; closed after ``timeout`` (0: held until undone)."""

    kind = "proxy.timeout"
    summary = "stall connections through a proxy; undo: remove the toxic"
    toxic_type = "timeout"


class ResetParams(ToxicParams):
    timeout: Duration = Field(default=0.0, description="reset after this (0: at once)")


class ProxyReset(StreamToxicFault[ResetParams]):
    """Resets connections (TCP RST) after ``timeout``."""

    kind = "proxy.reset"
    summary = "reset connections through a proxy; undo: remove the toxic"
    toxic_type = "reset_peer"


class HttpErrorParams(Params):
    proxy: ProxyRef
    status: int = Field(default=503, ge=100, le=599)
    percent: float = Field(default=100.0, ge=0, le=100, description="share of requests answered")
    path: str = Field(default="", description="regex on the request path; empty: every path")
    body: str = ""


class ProxyHttpError(ToxicFault[HttpErrorParams]):
    """Answers ``percent`` of the HTTP requests matching ``path`` with ``status`` (needs
    chaosml's proxy and a proxy declared ``protocol: http``)."""

    kind = "proxy.http_error"
    summary = "answer HTTP requests through a proxy with an error; undo: remove the toxic"

    def proxy_of(self, params: HttpErrorParams) -> ProxyRef:
        return params.proxy

    def toxics(self, params: HttpErrorParams, ctx: DriverContext) -> list[dict[str, Any]]:
        attributes = {"status": params.status, "percent": params.percent, "path": params.path}
        if params.body:
            attributes["body"] = params.body
        return [{"type": "http_error", "stream": "downstream", "attributes": attributes}]
