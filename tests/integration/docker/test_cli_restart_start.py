"""`docker.restart` (no undo) and the `docker.start` action in `rollbacks`, through the CLI."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tests.fixtures.docker_env import ALLOW_LABEL, ContainerFactory
from tests.integration.docker.cli import chaosml, events, run_end

pytestmark = pytest.mark.docker


def test_restart_registers_no_undo_and_rollbacks_start_a_killed_container(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"rs-{uuid.uuid4().hex[:6]}"
    labels = {"app": app, ALLOW_LABEL: "true"}
    c = containers.run(labels=labels, http=False, command=["/usr/bin/sleep", "600"])
    started_at = c.inspect("{{.State.StartedAt}}")
    experiment = {
        "version": 1,
        "title": "restart, then a kill nobody undoes but the rollbacks",
        "blast_radius": {"targets": {"web": {"docker": {"labels": {"app": app}}}}},
        "method": [
            {"fault": "docker.restart", "target": "web", "stop_timeout": "1s"},
            {
                "probe": {
                    "name": "back up",
                    "docker": {"target": "web"},
                    "expect": {"equals": "running"},
                }
            },
            {"fault": "process.run", "command": ["docker", "kill", c.id]},  # no undo
            {
                "probe": {
                    "name": "down",
                    "docker": {"target": "web"},
                    "expect": {"equals": "exited"},
                }
            },
        ],
        "rollbacks": [{"action": "docker.start", "target": "web"}],
    }
    exp = tmp_path / "exp.yaml"
    exp.write_text(yaml.safe_dump(experiment, sort_keys=False))
    journal = tmp_path / "j.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 0, done.stdout + done.stderr
    restart = next(e for e in events(journal, "fault.applied") if e["fault"] == "docker.restart")
    assert restart["undo_id"] is None and events(journal, "fault.undo_registered") == []
    [step] = events(journal, "rollback.step")
    assert step["action"] == "docker.start" and step["ok"]
    assert c.state() == "running"
    assert c.inspect("{{.State.StartedAt}}") != started_at
    assert run_end(journal)["status"] == "completed"
