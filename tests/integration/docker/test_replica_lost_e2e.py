"""experiments/replica-lost.yaml and docs/drivers/docker.yaml, end to end with the CLI, against
real containers."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.fixtures.docker_env import (
    ALLOW_LABEL,
    HTTP_SERVER,
    REPO,
    Container,
    ContainerFactory,
    wait_until,
)
from tests.integration.docker.cli import chaosml, events, run_end

pytestmark = [pytest.mark.docker, pytest.mark.slow]

EXPERIMENT = REPO / "experiments" / "replica-lost.yaml"
FRONT = REPO / "experiments" / "replica-lost-lb.py"
DOCS_EXAMPLE = REPO / "docs" / "drivers" / "docker.yaml"


def start_service(containers: ContainerFactory, app: str) -> tuple[list[Container], Container]:
    """Two replicas on a network of their own, and the failover front published on 127.0.0.1."""
    net = containers.network()
    labels = {"app": app, ALLOW_LABEL: "true"}
    on_net = ["--network", net, "-w", "/tmp"]
    replicas = [
        containers.run(f"{app}-{n}", labels=labels, http=False, command=HTTP_SERVER, extra=on_net)
        for n in ("a", "b")
    ]
    urls = [f"http://{r.name}:8000" for r in replicas]
    front = containers.run(
        f"{app}-front",
        command=["/usr/bin/python3", "/front/lb.py", "8000", *urls],
        extra=["--network", net, "-v", f"{FRONT}:/front/lb.py:ro"],
    )
    return replicas, front


def test_one_replica_killed_the_other_keeps_answering(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"replica-{uuid.uuid4().hex[:6]}"
    replicas, front = start_service(containers, app)
    journal = tmp_path / "j.jsonl"
    env = {"REPLICA_APP": app, "SERVICE_URL": front.url.rstrip("/")}

    done = chaosml("run", EXPERIMENT, "--env", "dev", "--journal", journal, env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    [registered] = events(journal, "fault.undo_registered")
    [killed] = registered["undo"]["data"]["containers"]
    assert killed["name"] in {r.name for r in replicas}
    results = {e["name"]: e for e in events(journal, "probe.result") if e["phase"] == "method"}
    assert results["the killed replica is down"]["ok"]
    assert results["the service still answers"]["ok"]
    assert results["the service still answers 2s later"]["ok"]
    assert run_end(journal)["status"] == "completed"
    wait_until(lambda: all(r.state() == "running" for r in replicas), 10, "both replicas up")
    assert front.answers()


def test_the_docs_example_runs(containers: ContainerFactory, tmp_path: Path) -> None:
    labels = {"app": "chaosml-docs-web", ALLOW_LABEL: "true"}
    web = [
        containers.run(f"chaosml-docs-web-{i}", labels=labels, http=False, command=HTTP_SERVER)
        for i in (1, 2)
    ]
    journal = tmp_path / "j.jsonl"

    done = chaosml("run", DOCS_EXAMPLE, "--env", "dev", "--journal", journal)

    assert done.returncode == 0, done.stdout + done.stderr
    reverted = events(journal, "fault.reverted")
    assert [(e["undo_id"].rsplit(".", 1)[1], e["by"], e["ok"]) for e in reverted] == [
        ("u1", "duration", True),
        ("u2", "rollback", True),
    ]
    assert all(c.state() == "running" for c in web)
