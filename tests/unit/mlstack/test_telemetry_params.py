"""telemetry.stop: parameters per mode, and what it plans before touching anything."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chaosml.contract.context import DriverContext
from chaosml.drivers.telemetry_driver import TelemetryStop, TelemetryStopParams
from chaosml.errors import DriverError


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mode": "process"}, "exactly one of pid_file or pattern"),
        ({"mode": "process", "pattern": "x", "signal": "SIGNOPE"}, "unknown signal"),
        ({"mode": "blackhole"}, "needs proxy"),
        ({"mode": "pause"}, "needs target"),
        ({"mode": "pause", "target": "t", "pid_file": "p"}, "does not take pid_file"),
        ({"mode": "blackhole", "proxy": {"name": "m"}, "target": "t"}, "does not take target"),
        ({"mode": "process", "pattern": "x", "colour": "red"}, "colour"),
        ({"mode": "mute"}, "'process', 'blackhole' or 'pause'"),
    ],
)
def test_each_mode_takes_only_its_own_fields(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TelemetryStopParams.model_validate(raw)


def test_process_mode_passes_only_what_was_given_to_process_kill() -> None:
    params = TelemetryStopParams(mode="process", pid_file="/run/x.pid", restart=["x", "--serve"])
    kill = params.kill_params()
    assert (kill.pid_file, kill.signal, kill.restart) == ("/run/x.pid", "SIGTERM", ["x", "--serve"])


def test_blackhole_describes_the_path_and_the_proxy() -> None:
    params = TelemetryStopParams(mode="blackhole", proxy={"name": "model-metrics"})  # type: ignore[arg-type]
    assert TelemetryStop().describe(params) == "blackhole ^/metrics on proxy model-metrics"


def test_process_mode_refuses_to_plan_when_nothing_runs(tmp_path: object) -> None:
    params = TelemetryStopParams(mode="process", pid_file="/nonexistent/exporter.pid")
    with pytest.raises(DriverError, match="no running process"):
        TelemetryStop().plan(params, DriverContext(run_id="r1"))


def test_pause_mode_needs_a_declared_target() -> None:
    params = TelemetryStopParams(mode="pause", target="exporter")
    with pytest.raises(DriverError, match="unknown target 'exporter'"):
        TelemetryStop().plan(params, DriverContext(run_id="r1"))


def test_a_record_with_an_unknown_mode_is_refused() -> None:
    from chaosml.contract.records import UndoRecord

    record = UndoRecord(
        "telemetry.stop",
        {"mode": "mute", "inner": {"kind": "x", "data": {}, "description": ""}},
        "",
    )
    with pytest.raises(DriverError, match=r"unknown telemetry\.stop mode"):
        TelemetryStop().undo(record, DriverContext(run_id="r1"))
