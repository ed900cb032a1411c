"""The Docker daemon stops in the middle of a run: exit 5 with a clear message, the journal lists
the undos still pending, and once the daemon is back `chaosml rollback JOURNAL` completes them.

The daemon stopped is a private one the test starts itself (see ``private_dockerd``), so that
other tests and users of the machine's daemon are not disturbed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tests.fixtures.docker_env import ALLOW_LABEL, ContainerFactory, PrivateDockerd
from tests.integration.docker.cli import (
    chaosml,
    events,
    finish,
    run_end,
    start_chaosml,
    wait_for_event,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def write_experiment(path: Path, app: str) -> Path:
    experiment = {
        "version": 1,
        "title": "the Docker daemon goes away mid-run",
        "blast_radius": {"targets": {"victim": {"docker": {"labels": {"app": app}}}}},
        "method": [
            {"fault": "docker.kill", "target": "victim"},
            {
                "probe": {
                    "name": "killed",
                    "docker": {"target": "victim"},
                    "expect": {"equals": "exited"},
                }
            },
            {"wait": "10s"},  # room to stop the daemon, also on a busy machine
            {
                "probe": {
                    "name": "still down",
                    "docker": {"target": "victim"},
                    "expect": {"equals": "exited"},
                }
            },
        ],
    }
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


def test_daemon_stopped_mid_run_exit_5_then_rollback_completes(
    private_dockerd: PrivateDockerd, tmp_path: Path
) -> None:
    factory = ContainerFactory(env=private_dockerd.env)
    app = f"lost-{uuid.uuid4().hex[:6]}"
    labels = {"app": app, ALLOW_LABEL: "true"}
    victim = factory.run(labels=labels, http=False, command=["/usr/bin/sleep", "600"])
    exp = write_experiment(tmp_path / "exp.yaml", app)
    journal = tmp_path / "j.jsonl"
    env = {"DOCKER_HOST": private_dockerd.host}

    proc = start_chaosml("run", exp, "--journal", journal, env=env)
    wait_for_event(journal, "probe.result", proc, name="killed", ok=True)
    private_dockerd.stop()
    code, output = finish(proc)

    assert code == 5, output
    assert private_dockerd.host in output and "DOCKER_HOST" in output
    end = run_end(journal)
    assert end["exit_code"] == 5
    assert "cannot reach the Docker daemon" in end["reason"]
    [pending] = end["pending_undos"]
    assert pending["undo"]["kind"] == "docker.kill"
    assert pending["undo"]["data"]["containers"][0]["id"] == victim.id

    private_dockerd.start()
    assert victim.state() == "exited"  # the undo did not run: the daemon was away
    done = chaosml("rollback", journal, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert victim.state() == "running"
    assert events(journal, "fault.reverted")[-1]["by"] == "rollback-command"


def test_no_daemon_at_all_exit_5_saying_how_to_reach_one(tmp_path: Path) -> None:
    exp = write_experiment(tmp_path / "exp.yaml", "anything")
    journal = tmp_path / "j.jsonl"
    socket = tmp_path / "no-dockerd.sock"

    done = chaosml("run", exp, "--journal", journal, env={"DOCKER_HOST": f"unix://{socket}"})

    assert done.returncode == 5, done.stdout + done.stderr
    reason = run_end(journal)["reason"]
    assert f"cannot reach the Docker daemon at unix://{socket} (no socket there)" in reason
    assert "DOCKER_HOST" in reason and "dockerd" in reason
    assert events(journal, "fault.applied") == []
