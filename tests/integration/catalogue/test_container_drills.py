"""The catalogue's container drills (``experiments/ml-stack/*-container-*.yaml``) end to end.

The example stack runs in real Docker containers (``chaosml.demo.docker_stack``: a local base
image, the host's runtime bind-mounted read-only), with the chaosml proxy, Prometheus and
Alertmanager as local processes. Each drill is run with ``chaosml run --env dev``: it must exit
0, its alert must fire, the container must be running again afterwards, and the stack quiet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaosml.demo.docker_stack import DockerEnvironment, docker_cli
from chaosml.demo.stack import MODEL_SERVER
from tests.fixtures.catalogue_env import container_files, run_experiment

pytestmark = [pytest.mark.docker, pytest.mark.prometheus, pytest.mark.slow]

DRILLS = container_files()
EXPECTED_ALERT = "ModelServerDown"
HELPERS = "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; true"
RESOURCE_ALERTS = {
    "model-server-container-memory": "ModelServerMemoryHigh",
    "model-server-container-cpu": "ModelServerCpuHigh",
}


def drill_variables(env: DockerEnvironment) -> dict[str, str]:
    return {**env.drill_variables(), "MODEL_CONTAINER": f"^{model_container(env)}$"}


def model_container(env: DockerEnvironment) -> str:
    assert env.stack is not None
    return env.stack.containers[MODEL_SERVER].name


def container_state(env: DockerEnvironment) -> str:
    return docker_cli("inspect", "-f", "{{.State.Status}}", model_container(env))


def _expected_alert(experiment: Path) -> str:
    """The alert the drill's resource fault proves; ModelServerDown for kill and pause."""
    return RESOURCE_ALERTS.get(experiment.stem, EXPECTED_ALERT)


def test_there_are_container_drills() -> None:
    assert {p.name for p in DRILLS} >= {
        "model-server-container-killed.yaml",
        "model-server-container-paused.yaml",
        "model-server-container-memory.yaml",
        "model-server-container-cpu.yaml",
    }


@pytest.mark.parametrize("experiment", DRILLS, ids=[p.stem for p in DRILLS])
def test_the_container_drill_passes_and_pages(
    experiment: Path, container_environment: DockerEnvironment, tmp_path: Path
) -> None:
    run = run_experiment(experiment, drill_variables(container_environment), tmp_path)
    assert run.exit_code == 0, run.output
    events = run.events(experiment.stem)
    fired = [e for e in events if e["event"] == "alert.fired"]
    assert [e["name"] for e in fired] == [_expected_alert(experiment)], run.output
    assert 0 <= fired[0]["time_to_detect_s"] <= 60
    targets = [e for e in events if e["event"] == "target.resolved"]
    assert len(targets) == 1 and model_container(container_environment) in json.dumps(targets)
    assert container_state(container_environment) == "running"
    reverted = [e for e in events if e["event"] == "fault.reverted"]
    assert reverted and all(e["ok"] for e in reverted), run.output
    helpers = docker_cli("exec", model_container(container_environment), "sh", "-c", HELPERS)
    assert "chaosml-resource-" not in helpers, helpers  # the process table holds no helper
    assert container_environment.monitoring is not None
    container_environment.monitoring.wait_ready(within=60)
