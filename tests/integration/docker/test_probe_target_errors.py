"""The docker probe's fields, the docker target selector, and error translation, for real."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chaosml.drivers.docker_driver import DockerEngine
from chaosml.drivers.docker_faults import DockerKill
from chaosml.drivers.docker_probe import DockerProbe
from chaosml.drivers.docker_target import DockerTarget
from chaosml.errors import DriverError, InfrastructureError, ProbeError
from tests.fixtures.docker_env import Container, ContainerFactory, docker, free_port, wait_until
from tests.integration.docker.helpers import ctx_for, params

pytestmark = pytest.mark.docker

SLEEPER = ["/usr/bin/sleep", "600"]


def read(members: list[Container] | None = None, **raw: object) -> Any:
    probe = DockerProbe()
    return probe.sample(params(probe, **raw), ctx_for(*members or [])).value


def test_probe_reads_exit_code_of_an_exited_container(containers: ContainerFactory) -> None:
    c = containers.run(http=False, command=["/usr/bin/python3", "-c", "raise SystemExit(3)"])
    c.wait_state("exited")
    assert read(container=c.name) == "exited"
    assert read(container=c.name, field="exit_code") == 3


def test_probe_reads_health(containers: ContainerFactory) -> None:
    check = ["--health-cmd", "/usr/bin/true", "--health-interval", "1s"]
    healthy = containers.run(http=False, command=SLEEPER, extra=check)
    plain = containers.run(http=False, command=SLEEPER)
    wait_until(lambda: read(container=healthy.id, field="health") == "healthy", 20, "healthy")
    assert read(container=plain.id, field="health") == "none"


def test_probe_reads_the_restart_count(containers: ContainerFactory) -> None:
    crashing = ["/usr/bin/python3", "-c", "raise SystemExit(1)"]
    c = containers.run(http=False, command=crashing, extra=["--restart", "on-failure:3"])
    wait_until(lambda: read(container=c.id, field="restarts") >= 1, 20, "a restart")


def test_probe_on_a_target_with_several_members_needs_all(containers: ContainerFactory) -> None:
    a, b = containers.run(http=False, command=SLEEPER), containers.run(http=False, command=SLEEPER)
    with pytest.raises(ProbeError, match="set 'all: true'"):
        read([a, b], target="t")
    docker("pause", b.id)
    probe = DockerProbe()
    sample = probe.sample(params(probe, target="t", all=True), ctx_for(a, b))
    assert sample.value == ["running", "paused"]
    assert [c["state"] for c in sample.details["containers"]] == ["running", "paused"]


def test_probe_of_a_missing_container_is_a_probe_error_naming_it(docker_engine: None) -> None:
    with pytest.raises(ProbeError, match="container 'no-such-chaosml-container' not found"):
        read(container="no-such-chaosml-container")


def test_target_matches_labels_and_name_running_or_paused_only(
    containers: ContainerFactory,
) -> None:
    app = f"sel-{uuid.uuid4().hex[:6]}"
    labels = {"app": app}
    b = containers.run(f"{app}-b", labels=labels, http=False, command=SLEEPER)
    a = containers.run(f"{app}-a", labels=labels, http=False, command=SLEEPER)
    paused = containers.run(f"{app}-c", labels=labels, http=False, command=SLEEPER)
    exited = containers.run(f"{app}-d", labels=labels, http=False, command=SLEEPER)
    other = containers.run(f"{app}-x-other", labels=labels, http=False, command=SLEEPER)
    containers.run(f"{app}-e", labels={"app": "else"}, http=False, command=SLEEPER)
    docker("pause", paused.id)
    docker("kill", exited.id)
    target = DockerTarget()

    by_label = target.candidates(params(target, labels=labels), ctx_for())
    assert [m.name for m in by_label] == [a.name, b.name, paused.name, other.name]
    assert by_label[0].labels["app"] == app and by_label[0].id == a.id

    both = params(target, labels=labels, name=rf"^{app}-[a-d]$")
    assert [m.name for m in target.candidates(both, ctx_for())] == [a.name, b.name, paused.name]


def test_unreachable_daemon_says_how_to_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/chaosml-no-such-dockerd.sock")
    with pytest.raises(InfrastructureError) as raised:
        DockerEngine().inspect("anything")
    assert "unix:///tmp/chaosml-no-such-dockerd.sock" in raised.value.message
    assert "DOCKER_HOST" in raised.value.hint and "docker" in raised.value.hint


def test_refused_tcp_daemon_is_an_infrastructure_error_for_faults_and_probes(
    monkeypatch: pytest.MonkeyPatch, containers: ContainerFactory
) -> None:
    c = containers.run(http=False, command=SLEEPER)
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port()}")
    kill = DockerKill()
    with pytest.raises(
        InfrastructureError, match=r"cannot reach the Docker daemon at tcp://127\.0\.0\.1"
    ):
        kill.apply(params(kill, target="t"), ctx_for(c))
    with pytest.raises(InfrastructureError):
        read(container=c.id)
    monkeypatch.undo()
    assert c.state() == "running"


def test_a_refused_operation_is_a_driver_error(containers: ContainerFactory) -> None:
    c = containers.run(http=False, command=SLEEPER)
    docker("kill", c.id)
    c.wait_state("exited")
    kill = DockerKill()
    with pytest.raises(DriverError, match="is not running"):
        kill.apply(params(kill, target="t"), ctx_for(c))
