"""Every Docker fault through `chaosml run`: undone after SIGINT and SIGTERM (exit 130), and by
`chaosml rollback JOURNAL` after the runner was SIGKILLed (a second rollback is a no-op)."""

from __future__ import annotations

import json
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures.docker_env import ALLOW_LABEL, Container, ContainerFactory
from tests.integration.docker.cli import (
    chaosml,
    events,
    finish,
    run_end,
    start_chaosml,
    wait_for_event,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@dataclass
class Victim:
    container: Container
    app: str
    network: str

    def networks(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(
            self.container.inspect("{{json .NetworkSettings.Networks}}")
        )
        return found


@dataclass(frozen=True)
class FaultCase:
    step: dict[str, Any]
    observed: str  # the container state the docker probe sees while the fault is in place
    in_place: Callable[[Victim], bool]
    restored: Callable[[Victim], bool]


def _state_is(state: str) -> Callable[[Victim], bool]:
    return lambda v: v.container.state() == state


def _disconnected(v: Victim) -> bool:
    return v.network not in v.networks()


def _reconnected(v: Victim) -> bool:
    endpoint = v.networks().get(v.network)
    return endpoint is not None and "svc" in (endpoint.get("Aliases") or [])


FAULTS = {
    "kill": FaultCase(
        {"fault": "docker.kill"}, "exited", _state_is("exited"), _state_is("running")
    ),
    "stop": FaultCase(
        {"fault": "docker.stop", "stop_timeout": "1s"},
        "exited",
        _state_is("exited"),
        _state_is("running"),
    ),
    "pause": FaultCase(
        {"fault": "docker.pause"}, "paused", _state_is("paused"), _state_is("running")
    ),
    "disconnect": FaultCase({"fault": "docker.disconnect"}, "running", _disconnected, _reconnected),
}


@pytest.fixture
def victim(containers: ContainerFactory) -> Victim:
    app = f"victim-{uuid.uuid4().hex[:6]}"
    net = containers.network()
    extra = ["--network", net, "--network-alias", "svc"]
    labels = {"app": app, ALLOW_LABEL: "true"}
    c = containers.run(labels=labels, http=False, command=["/usr/bin/sleep", "600"], extra=extra)
    return Victim(c, app, net)


def write_experiment(path: Path, victim: Victim, case: FaultCase) -> Path:
    step = {**case.step, "target": "victim"}
    if step["fault"] == "docker.disconnect":
        step["network"] = victim.network
    experiment = {
        "version": 1,
        "title": f"{step['fault']} is undone however the run ends",
        "blast_radius": {"targets": {"victim": {"docker": {"labels": {"app": victim.app}}}}},
        "method": [
            step,
            {
                "probe": {
                    "name": "fault observed",
                    "docker": {"target": "victim"},
                    "expect": {"equals": case.observed},
                }
            },
            {"wait": "60s"},
        ],
    }
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_signal_during_a_fault_rolls_back_and_exits_130(
    fault: str, sig: signal.Signals, victim: Victim, tmp_path: Path
) -> None:
    case = FAULTS[fault]
    exp = write_experiment(tmp_path / "exp.yaml", victim, case)
    journal = tmp_path / "journal.jsonl"
    proc = start_chaosml("run", exp, "--journal", journal)
    wait_for_event(journal, "probe.result", proc, name="fault observed", ok=True)
    assert case.in_place(victim)

    proc.send_signal(sig)
    code, output = finish(proc)

    assert code == 130, output
    assert case.restored(victim)
    end = run_end(journal)
    assert end["status"] == "interrupted" and end["ended_by"] == f"signal:{sig.name}"
    assert end["pending_undos"] == []
    [reverted] = events(journal, "fault.reverted")
    assert reverted["ok"] and reverted["by"] == "rollback"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_rollback_command_restores_after_sigkill_and_twice_is_a_no_op(
    fault: str, victim: Victim, tmp_path: Path
) -> None:
    case = FAULTS[fault]
    exp = write_experiment(tmp_path / "exp.yaml", victim, case)
    journal = tmp_path / "journal.jsonl"
    # no watchdog: what is tested is a person's `chaosml rollback` (the watchdog has its own tests)
    proc = start_chaosml("run", exp, "--journal", journal, "--no-watchdog")
    wait_for_event(journal, "probe.result", proc, name="fault observed", ok=True)
    proc.kill()
    proc.communicate(timeout=30)
    assert case.in_place(victim)  # nobody rolled back: the runner died
    assert events(journal, "run.end") == []

    first = chaosml("rollback", journal)
    assert first.returncode == 0, first.stdout + first.stderr
    assert case.restored(victim)
    [reverted] = events(journal, "fault.reverted")
    assert reverted["ok"] and reverted["by"] == "rollback-command"
    started_at = victim.container.inspect("{{.State.StartedAt}}")

    second = chaosml("rollback", journal)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to roll back" in second.stdout
    assert len(events(journal, "fault.reverted")) == 1
    assert victim.container.inspect("{{.State.StartedAt}}") == started_at
    assert case.restored(victim)
