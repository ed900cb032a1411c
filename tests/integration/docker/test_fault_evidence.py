"""Each Docker fault's evidence, against the real Docker engine: the state observed after apply."""

from __future__ import annotations

import pytest

from chaosml.drivers.base import FaultDriver
from chaosml.drivers.docker_faults import DockerKill, DockerPause, DockerRestart, DockerStop
from chaosml.drivers.docker_network import DockerDisconnect
from chaosml.drivers.telemetry_driver import TelemetryStop
from tests.fixtures.docker_env import Container, ContainerFactory
from tests.integration.docker.helpers import ctx_for, params

pytestmark = pytest.mark.docker


def applied(fault: FaultDriver, *members: Container, **raw: object) -> tuple[str, bool, dict]:  # type: ignore[type-arg]
    """Plan, apply, read the evidence, undo: (summary, effect, counters)."""
    ctx = ctx_for(*members)
    p = params(fault, **{"target": "t", **raw})
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    try:
        evidence = fault.applied_evidence(p, ctx, record)
    finally:
        if record is not None:
            fault.undo(record, ctx)
    assert evidence is not None
    return evidence.summary, evidence.effect, dict(evidence.counters)


def test_kill_evidence_is_the_exited_state(containers: ContainerFactory) -> None:
    a, b = containers.run(), containers.run()
    summary, effect, counters = applied(DockerKill(), a, b)
    assert effect and counters == {"containers": 2, "affected": 2}
    assert summary.startswith("2 of 2 containers took SIGKILL (")
    assert f"{a.name}: exited" in summary and f"{b.name}: exited" in summary
    a.wait_answering()


def test_kill_with_a_handled_signal_counts_as_delivered(containers: ContainerFactory) -> None:
    a = containers.run()
    summary, effect, _ = applied(DockerKill(), a, signal="SIGWINCH")
    assert effect and summary == f"1 of 1 containers took SIGWINCH ({a.name}: running)"


def test_stop_evidence(containers: ContainerFactory) -> None:
    a = containers.run()
    summary, effect, _ = applied(DockerStop(), a, stop_timeout="1s")
    assert effect and summary == f"1 of 1 containers stopped ({a.name}: exited)"


def test_pause_evidence(containers: ContainerFactory) -> None:
    a = containers.run()
    summary, effect, _ = applied(DockerPause(), a)
    assert effect and summary == f"1 of 1 containers paused ({a.name}: paused)"
    assert a.state() == "running"  # undone


def test_restart_evidence(containers: ContainerFactory) -> None:
    a = containers.run()
    summary, effect, _ = applied(DockerRestart(), a, stop_timeout="1s")
    assert effect and summary == f"1 of 1 containers running again ({a.name}: running)"


def test_disconnect_evidence(containers: ContainerFactory) -> None:
    net = containers.network()
    a = containers.run(extra=["--network", net])
    summary, effect, _ = applied(DockerDisconnect(), a, network=net)
    assert effect and summary == f"1 of 1 containers off '{net}' ({a.name}: running)"
    assert net in a.inspect("{{json .NetworkSettings.Networks}}")  # reconnected


def test_telemetry_stop_pause_says_the_exporter_was_paused(containers: ContainerFactory) -> None:
    exporter = containers.run()
    summary, effect, _ = applied(TelemetryStop(), exporter, mode="pause")
    assert effect
    assert (
        summary == f"telemetry (pause) stopped: 1 of 1 containers paused ({exporter.name}: paused)"
    )
    assert exporter.state() == "running"  # undone


def test_kill_of_a_container_its_restart_policy_brings_back_still_had_an_effect(
    containers: ContainerFactory,
) -> None:
    a = containers.run(extra=["--restart", "always"])
    summary, effect, counters = applied(DockerKill(), a)
    assert effect and counters["affected"] == 1, summary
