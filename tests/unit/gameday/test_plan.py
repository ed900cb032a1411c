from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.errors import ValidationError
from chaosml.gameday.plan import load_plan


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "exp.yaml").write_text("version: 1\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def test_full_plan(tmp_path: Path) -> None:
    loaded = load_plan(
        write(
            tmp_path,
            "version: 1\ntitle: Weekly\nenvironments: [staging]\ndeadline: 1h\n"
            "stop_on_failure: true\npause: 30s\n"
            "experiments:\n  - path: exp.yaml\n    vars: {replicas: 2}\n",
        )
    )
    plan = loaded.plan
    assert (plan.deadline, plan.pause, plan.stop_on_failure) == (3600.0, 30.0, True)
    assert loaded.experiment_path(plan.experiments[0]) == (tmp_path / "exp.yaml").resolve()
    assert plan.experiments[0].vars == {"replicas": 2}


def test_every_problem_at_once_with_locations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 2\ntitle: x\npause: soon\nexperiments:\n  - path: exp.yaml\n    varz: {}\n",
    )
    with pytest.raises(ValidationError) as caught:
        load_plan(path)
    text = caught.value.message
    assert "plan.yaml:1:" in text and "version" in text
    assert "plan.yaml:3:" in text and "pause" in text
    assert "plan.yaml:6:5: experiments[0].varz: unknown key 'varz' (did you mean 'vars'?)" in text


def test_a_plan_needs_experiments(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="experiments"):
        load_plan(write(tmp_path, "version: 1\ntitle: x\nexperiments: []\n"))
