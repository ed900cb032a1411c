"""Fault ``telemetry.stop``: silence an exporter so the "telemetry absent" alert must fire.

Three modes, each delegating to the driver that already knows the backend:

=========== ======================================================== ==========================
mode        does                                                     undo
=========== ======================================================== ==========================
process     signal the exporter process (``pid_file`` or            run ``restart`` (if given)
            ``pattern``, ``signal``) — ``process.kill``              unless it runs again
blackhole   the chaosml proxy in front of the exporter answers       remove the toxic
            ``path`` (default ``^/metrics``) with an empty 200
            (``hang: true``: never answers) — an HTTP toxic
pause       freeze the exporter's containers (blast-radius           unpause them
            ``target``) — ``docker.pause``
=========== ======================================================== ==========================

A blackhole with ``path: ^/metrics/job/`` on a proxy in front of a Pushgateway drops pushes
(the pusher sees 200, nothing arrives). The undo record wraps the delegate's record with the
mode, so ``chaosml rollback JOURNAL`` replays it in a new process from the journal alone.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError, model_validator

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.docker_containers import TargetParams
from chaosml.drivers.docker_faults import DockerPause
from chaosml.drivers.process_driver import KillParams, ProcessKill
from chaosml.drivers.proxy_driver import ProxyRef, ToxicFault
from chaosml.errors import DriverError

Mode = Literal["process", "blackhole", "pause"]
_FIELDS: dict[str, set[str]] = {
    "process": {"pid_file", "pattern", "signal", "restart", "restart_cwd"},
    "blackhole": {"proxy", "path", "hang"},
    "pause": {"target"},
}


class TelemetryStopParams(Params):
    mode: Mode
    # process
    pid_file: str | None = None
    pattern: str | None = None
    signal: str | None = None
    restart: list[str] | None = None
    restart_cwd: str | None = None
    # blackhole
    proxy: ProxyRef | None = None
    path: str | None = None
    hang: bool | None = None
    # pause
    target: str | None = None

    @model_validator(mode="after")
    def _fields_of_the_mode(self) -> TelemetryStopParams:
        given = {name for name in self.model_fields_set if name != "mode"}
        foreign = sorted(given - _FIELDS[self.mode])
        if foreign:
            raise ValueError(f"mode {self.mode} does not take {', '.join(foreign)}")
        if self.mode == "blackhole" and self.proxy is None:
            raise ValueError("mode blackhole needs proxy: {api, name}")
        if self.mode == "pause" and self.target is None:
            raise ValueError("mode pause needs target (a blast-radius target)")
        if self.mode == "process":
            self._check_kill_params()
        return self

    def _check_kill_params(self) -> None:
        try:
            self.kill_params()
        except ValidationError as exc:
            reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise ValueError(reasons) from None

    def kill_params(self) -> KillParams:
        keys = _FIELDS["process"] & self.model_fields_set
        return KillParams(**{k: getattr(self, k) for k in keys})


class MetricsBlackhole(ToxicFault[TelemetryStopParams]):
    """The ``blackhole`` HTTP toxic on the exporter's proxy (used by ``telemetry.stop``)."""

    kind = "telemetry.stop"

    def proxy_of(self, params: TelemetryStopParams) -> ProxyRef:
        assert params.proxy is not None
        return params.proxy

    def toxics(self, params: TelemetryStopParams, ctx: DriverContext) -> list[dict[str, Any]]:
        attributes = {
            "path": params.path or "^/metrics",
            "mode": "hang" if params.hang else "empty",
        }
        return [{"type": "blackhole", "attributes": attributes}]


def _delegate(mode: str) -> FaultDriver[Any]:
    if mode == "process":
        return ProcessKill()
    if mode == "blackhole":
        return MetricsBlackhole()
    if mode == "pause":
        return DockerPause()
    raise DriverError(f"unknown telemetry.stop mode {mode!r} in an undo record")


def _delegate_params(params: TelemetryStopParams) -> Params:
    if params.mode == "process":
        return params.kill_params()
    if params.mode == "pause":
        return TargetParams(target=str(params.target))
    return params


def _stopped(mode: str, evidence: Evidence | None) -> Evidence | None:
    """The delegate's evidence, saying what was stopped."""
    if evidence is None:
        return None
    summary = f"telemetry ({mode}) stopped: {evidence.summary}"
    return Evidence(evidence.effect, summary, evidence.counters)


class TelemetryStop(FaultDriver[TelemetryStopParams]):
    """Silences an exporter by process, proxy blackhole or container pause; undo restores it."""

    kind = "telemetry.stop"
    summary = "silence telemetry: stop the exporter, blackhole /metrics, or pause its container"

    def __init__(self) -> None:
        # one per mode: apply and evidence share it
        self._delegates: dict[str, FaultDriver[Any]] = {}

    def _delegate(self, mode: str) -> FaultDriver[Any]:
        if mode not in self._delegates:
            self._delegates[mode] = _delegate(mode)
        return self._delegates[mode]

    def applied_evidence(
        self, params: TelemetryStopParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        inner = UndoRecord.from_json(record.data["inner"]) if record is not None else None
        found = self._delegate(params.mode).applied_evidence(_delegate_params(params), ctx, inner)
        return _stopped(params.mode, found)

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        inner = UndoRecord.from_json(record.data["inner"])
        mode = str(record.data["mode"])
        return _stopped(mode, self._delegate(mode).undo_evidence(inner, ctx))

    def plan(self, params: TelemetryStopParams, ctx: DriverContext) -> UndoRecord | None:
        inner = self._delegate(params.mode).plan(_delegate_params(params), ctx)
        if inner is None:
            return None
        data = {"mode": params.mode, "inner": inner.to_json()}
        return UndoRecord(self.kind, data, f"telemetry ({params.mode}): {inner.description}")

    def apply(self, params: TelemetryStopParams, ctx: DriverContext) -> None:
        self._delegate(params.mode).apply(_delegate_params(params), ctx)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        inner = UndoRecord.from_json(record.data["inner"])
        self._delegate(str(record.data["mode"])).undo(inner, ctx)

    def describe(self, params: TelemetryStopParams) -> str:
        if params.mode == "blackhole" and params.proxy is not None:
            return f"blackhole {params.path or '^/metrics'} on proxy {params.proxy.name}"
        if params.mode == "pause":
            return f"pause the exporter containers of target '{params.target}'"
        return f"stop the exporter {params.pid_file or '/' + str(params.pattern) + '/'}"
