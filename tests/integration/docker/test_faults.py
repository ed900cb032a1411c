"""Every Docker fault against real containers: applied, observed by the docker probe, undone."""

from __future__ import annotations

import json

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.docker_faults import (
    DockerKill,
    DockerPause,
    DockerRestart,
    DockerStart,
    DockerStop,
)
from chaosml.drivers.docker_network import DockerDisconnect
from chaosml.drivers.docker_probe import DockerProbe
from chaosml.errors import DriverError
from tests.fixtures.docker_env import ContainerFactory, docker
from tests.integration.docker.helpers import ctx_for, params

pytestmark = pytest.mark.docker


def probe_value(ctx: DriverContext, **raw: object) -> object:
    probe = DockerProbe()
    return probe.sample(params(probe, **raw), ctx).value


def replayed(record: UndoRecord | None) -> UndoRecord:
    """The record as `chaosml rollback` reads it back from the journal."""
    assert record is not None
    return UndoRecord.from_json(json.loads(json.dumps(record.to_json())))


def test_kill_applied_observed_and_undone(containers: ContainerFactory) -> None:
    a, b = containers.run(), containers.run()
    ctx, fault = ctx_for(a, b), DockerKill()
    p = params(fault, target="t")

    record = fault.plan(p, ctx)
    assert record is not None and record.kind == "docker.kill"
    assert {c["id"] for c in record.data["containers"]} == {a.id, b.id}
    assert {c["name"] for c in record.data["containers"]} == {a.name, b.name}
    assert a.state() == "running"  # plan changes nothing

    fault.apply(p, ctx)
    assert probe_value(ctx, target="t", all=True) == "exited"
    assert probe_value(ctx, target="t", all=True, field="exit_code") == 137
    assert not a.answers() and not b.answers()

    fault.undo(replayed(record), ctx_for())  # a fresh context, as in a new process
    assert probe_value(ctx, target="t", all=True) == "running"
    a.wait_answering()
    b.wait_answering()


def test_kill_undo_is_idempotent(containers: ContainerFactory) -> None:
    a = containers.run()
    ctx, fault = ctx_for(a), DockerKill()
    p = params(fault, target="t", signal="KILL")
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    fault.undo(replayed(record), ctx)
    started_at = a.inspect("{{.State.StartedAt}}")
    fault.undo(replayed(record), ctx)
    assert a.inspect("{{.State.StartedAt}}") == started_at  # not started twice
    assert a.state() == "running"


def test_kill_half_way_failure_restores_what_it_killed(containers: ContainerFactory) -> None:
    a, gone = containers.run(), containers.run()
    ctx, fault = ctx_for(a, gone), DockerKill()
    p = params(fault, target="t")
    containers_record = fault.plan(p, ctx)
    assert containers_record is not None
    docker("rm", "-f", gone.id)
    with pytest.raises(DriverError) as failed:
        fault.apply(p, ctx)
    assert gone.name in failed.value.message and "not found" in failed.value.message
    assert "1 of 2" in failed.value.message
    a.wait_state("running")
    a.wait_answering()


def test_stop_applied_observed_and_undone(containers: ContainerFactory) -> None:
    a = containers.run()
    ctx, fault = ctx_for(a), DockerStop()
    p = params(fault, target="t", stop_timeout="1s")
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    assert probe_value(ctx, target="t") == "exited"
    fault.undo(replayed(record), ctx)
    assert probe_value(ctx, target="t") == "running"
    a.wait_answering()


def test_pause_applied_observed_and_undone_twice(containers: ContainerFactory) -> None:
    a, b = containers.run(), containers.run()
    ctx, fault = ctx_for(a, b), DockerPause()
    p = params(fault, target="t")
    record = fault.plan(p, ctx)
    assert record is not None and record.kind == "docker.pause"
    fault.apply(p, ctx)
    assert probe_value(ctx, target="t", all=True) == "paused"
    assert not a.answers()
    fault.undo(replayed(record), ctx)
    fault.undo(replayed(record), ctx)  # idempotent: nothing paused any more
    assert probe_value(ctx, target="t", all=True) == "running"
    a.wait_answering()


def test_pause_undo_of_a_removed_container_is_a_no_op(containers: ContainerFactory) -> None:
    a = containers.run()
    ctx, fault = ctx_for(a), DockerPause()
    p = params(fault, target="t")
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    docker("rm", "-f", a.id)
    fault.undo(replayed(record), ctx)  # nothing is frozen any more: nothing to do
    assert docker("ps", "-aq", "--no-trunc", "--filter", f"id={a.id}") == ""  # not brought back


def test_restart_has_no_undo_and_restarts(containers: ContainerFactory) -> None:
    a = containers.run()
    ctx, fault = ctx_for(a), DockerRestart()
    p = params(fault, target="t", stop_timeout="1s")
    started_at = a.inspect("{{.State.StartedAt}}")
    assert fault.plan(p, ctx) is None
    fault.apply(p, ctx)
    assert probe_value(ctx, target="t") == "running"
    assert a.inspect("{{.State.StartedAt}}") != started_at
    a.wait_answering()


def test_disconnect_applied_and_reconnected_with_the_same_aliases(
    containers: ContainerFactory,
) -> None:
    net = containers.network()
    a = containers.run(
        extra=["--network", net, "--network-alias", "model", "--network-alias", "m1"]
    )
    ctx, fault = ctx_for(a), DockerDisconnect()
    p = params(fault, target="t", network=net)

    record = fault.plan(p, ctx)
    assert record is not None
    [entry] = record.data["containers"]
    assert entry["network"] == net and sorted(entry["aliases"]) == ["m1", "model"]

    fault.apply(p, ctx)
    assert net not in a.inspect("{{json .NetworkSettings.Networks}}")
    fault.undo(replayed(record), ctx)
    fault.undo(replayed(record), ctx)  # idempotent: connected already
    networks = json.loads(a.inspect("{{json .NetworkSettings.Networks}}"))
    assert {"m1", "model"} <= set(networks[net]["Aliases"])


def test_disconnect_refuses_a_network_the_container_is_not_on(
    containers: ContainerFactory,
) -> None:
    net = containers.network()
    a = containers.run()
    fault = DockerDisconnect()
    with pytest.raises(DriverError, match="not connected to network"):
        fault.plan(params(fault, target="t", network=net), ctx_for(a))


def test_start_action_starts_by_name_and_by_target(containers: ContainerFactory) -> None:
    a, b = containers.run(), containers.run()
    docker("kill", a.id, b.id)
    action = DockerStart()
    sample = action.run(params(action, container=a.name), ctx_for())
    assert sample is not None and sample.value == 1
    a.wait_state("running")
    sample = action.run(params(action, target="t"), ctx_for(a, b))
    assert sample is not None and sample.value == 2  # a was running: left alone, still listed
    b.wait_state("running")
    b.wait_answering()


def test_twenty_containers_killed_and_started_concurrently(containers: ContainerFactory) -> None:
    many = containers.run_many(20, http=False, command=["/usr/bin/sleep", "600"])
    ctx, fault = ctx_for(*many), DockerKill()
    p = params(fault, target="t")
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    assert probe_value(ctx, target="t", all=True) == "exited"
    fault.undo(replayed(record), ctx)
    assert probe_value(ctx, target="t", all=True) == "running"
