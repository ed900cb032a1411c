"""The blast radius over real containers, through `chaosml run`: refusals touch nothing, the
opt-in label is required, and the same --seed picks the same containers."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures.docker_env import ALLOW_LABEL, Container, ContainerFactory
from tests.integration.docker.cli import (
    chaosml,
    events,
    planned_members,
    resolved_members,
    run_end,
)

pytestmark = pytest.mark.docker

SLEEPER = ["/usr/bin/sleep", "600"]


def fleet(
    containers: ContainerFactory, count: int, app: str, opt_in: bool = True
) -> list[Container]:
    labels = {"app": app, **({ALLOW_LABEL: "true"} if opt_in else {})}
    return containers.run_many(count, labels=labels, http=False, command=SLEEPER)


def kill_experiment(path: Path, app: str, **limits: Any) -> Path:
    experiment = {
        "version": 1,
        "title": "blast radius",
        "blast_radius": {"targets": {"pods": {"docker": {"labels": {"app": app}}, **limits}}},
        "method": [{"fault": "docker.kill", "target": "pods"}],
    }
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


def started_at(fleet: list[Container]) -> list[str]:
    return [c.inspect("{{.State.Status}} {{.State.StartedAt}}") for c in fleet]


def test_count_above_max_percent_is_refused_and_nothing_is_touched(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"br-{uuid.uuid4().hex[:6]}"
    pods = fleet(containers, 10, app)
    before = started_at(pods)
    exp = kill_experiment(tmp_path / "exp.yaml", app, count=3, max_percent=20)
    journal = tmp_path / "j.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "max_percent" in done.stdout + done.stderr
    assert started_at(pods) == before
    end = run_end(journal)
    assert end["status"] == "refused" and "3 of 10 is 30%" in end["reason"]
    assert events(journal, "fault.applied") == [] and events(journal, "fault.undo_registered") == []


def test_fewer_matches_than_min_matches_is_refused(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"br-{uuid.uuid4().hex[:6]}"
    [only] = fleet(containers, 1, app)
    exp = kill_experiment(tmp_path / "exp.yaml", app, min_matches=2)
    journal = tmp_path / "j.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "min_matches is 2" in run_end(journal)["reason"]
    assert only.state() == "running"
    assert events(journal, "fault.applied") == []


def test_an_empty_match_is_refused_showing_the_selector(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"br-{uuid.uuid4().hex[:6]}"
    [no_opt_in] = fleet(containers, 1, app, opt_in=False)
    exp = kill_experiment(tmp_path / "exp.yaml", app)
    journal = tmp_path / "j.jsonl"

    done = chaosml("run", exp, "--journal", journal)

    assert done.returncode == 2
    reason = run_end(journal)["reason"]
    assert app in reason and ALLOW_LABEL in reason
    assert no_opt_in.state() == "running"


def test_a_container_without_the_opt_in_label_is_never_selected(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"br-{uuid.uuid4().hex[:6]}"
    opted = fleet(containers, 2, app)
    others = fleet(containers, 4, app, opt_in=False)
    exp = kill_experiment(tmp_path / "exp.yaml", app, count=1)
    picked: set[str] = set()
    for seed in range(8):
        journal = tmp_path / f"dry-{seed}.jsonl"
        done = chaosml("run", exp, "--dry-run", "--seed", str(seed), "--journal", journal)
        assert done.returncode == 0, done.stdout + done.stderr
        assert not journal.exists()  # a dry run writes nothing
        [member] = planned_members(done.stdout, "pods")
        picked.add(member)
    assert picked <= {c.name for c in opted}
    assert all(c.state() == "running" for c in opted + others)  # a dry run touches nothing

    journal = tmp_path / "real.jsonl"
    done = chaosml("run", exp, "--journal", journal)
    assert done.returncode == 0, done.stdout + done.stderr
    [killed] = events(journal, "fault.undo_registered")
    assert {c["name"] for c in killed["undo"]["data"]["containers"]} <= {c.name for c in opted}
    assert all(c.state() == "running" for c in others)


def test_the_same_seed_selects_the_same_containers(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    app = f"br-{uuid.uuid4().hex[:6]}"
    pods = fleet(containers, 6, app)
    exp = kill_experiment(tmp_path / "exp.yaml", app, count=2)

    def pick(seed: int, tag: str, *extra: str) -> list[str]:
        journal = tmp_path / f"{tag}-{seed}.jsonl"
        done = chaosml("run", exp, "--seed", str(seed), "--journal", journal, *extra)
        assert done.returncode == 0, done.stdout + done.stderr
        if "--dry-run" in extra:
            return planned_members(done.stdout, "pods")
        assert events(journal, "run.start")[0]["seed"] == seed
        return resolved_members(journal, "pods")

    planned = pick(42, "dry", "--dry-run")
    assert pick(42, "dry-again", "--dry-run") == planned
    assert pick(42, "real") == planned  # the real run hits what the dry run showed
    assert len({tuple(pick(seed, "other", "--dry-run")) for seed in range(6)}) > 1
    assert all(c.state() == "running" for c in pods)  # the real run rolled back
