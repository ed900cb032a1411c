"""Every hand-written broken experiment: exit 2, a located one-paragraph message, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chaosml.cli.app import app
from chaosml.errors import ValidationError
from chaosml.loader import load_file

BROKEN = Path(__file__).parents[2] / "data" / "broken"
FILES = sorted(BROKEN.iterdir())

# what each message must say (besides the file name)
EXPECTED = {
    "bad-indentation.yaml": "not valid YAML",
    "tabs.yaml": "YAML does not allow tabs",
    "unknown-key.yaml": "unknown key 'colour'",
    "misspelled-section.yaml": "did you mean 'rollbacks'",
    "wrong-type.yaml": "steady_state[0].http.timeout",
    "missing-title.yaml": "missing required key 'title'",
    "empty.yaml": "empty",
    "top-level-list.yaml": "must be a mapping",
    "broken.json": "not valid JSON",
    "experiment.txt": "expected a .yaml, .yml or .json file",
    "unknown-driver.yaml": "unknown fault 'kubernetes.drain'",
    "duration-words.yaml": "expected a duration like 500ms",
    "negative-count.yaml": "blast_radius.targets.model.count",
    "unset-env.yaml": "CHAOSML_TEST_SURELY_UNSET_VAR is not set",
    "wrong-version.yaml": "version",
    "duplicate-key.yaml": "duplicate key 'title'",
    "two-step-kinds.yaml": "exactly one of",
    "fault-in-rollbacks.yaml": "only 'action' steps",
    "undeclared-var.yaml": "did you mean 'model'",
    "shell-string.yaml": "shell: true",
    # bounded input (issue 11): bombs, cycles, depth, numbers, patterns, durations
    "billion-laughs.yaml": "more than 20,000 values",
    "merge-bomb.yaml": "more than 20,000 values",
    "substitution-bomb.yaml": "larger than 1,000,000 bytes",
    "self-alias.yaml": "an alias refers to a node that contains it",
    "self-merge.yaml": "an alias refers to a node that contains it",
    "deep-nesting.yaml": "nested deeper than 64 levels",
    "deep-block-nesting.yaml": "nested deeper than 64 levels",
    "long-number.yaml": "a number of 5000 digits",
    "bad-pattern.yaml": "not a valid regular expression",
    "any-line-pattern.yaml": "matches any command line",
    "infinite-wait.yaml": "a duration must be finite",
    "overlong-duration.yaml": "a duration must be finite",
    "misspelled-mode.yaml": "did you mean 'nan'",
    "gameday-plan.yaml": "this is a game day plan: chaosml gameday",
    "over-budget.yaml": "above max_duration 1m",
    "undeclared-target.yaml": "target 'modle' is not declared",
    "resource-rate-list.yaml": "method[0].rate: ['64MiB', '128MiB'] is not a size",
    "hold-longer-than-within.yaml": "recovery: hold (30s) must be shorter than within (30s)",
}


# `validate` checks a plan as a plan (and the experiments it lists): it says so
ON_VALIDATE = {"gameday-plan.yaml": "game-day plan 'Weekly drill'"}


def test_every_broken_file_has_an_expectation() -> None:
    assert {f.name for f in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_loader_reports_a_located_problem(path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_file(path)
    text = info.value.message
    assert EXPECTED[path.name] in text
    assert str(path) in text
    if path.name not in {"empty.yaml", "experiment.txt", "top-level-list.yaml"}:
        # located: file:line:column
        assert f"{path}:" in text and any(c.isdigit() for c in text.split(str(path))[1][:4])


def _expected_on(command: str, path: Path) -> str:
    if command == "validate":
        return ON_VALIDATE.get(path.name, EXPECTED[path.name])
    return EXPECTED[path.name]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_cli_exits_2_without_a_traceback(path: Path, command: str) -> None:
    # in process (typer's runner: the same commands and error mapping, no interpreter start-up)
    done = CliRunner().invoke(app, [command, str(path)])
    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert "Traceback" not in done.output
    assert _expected_on(command, path) in done.output


# and through the real entry point (`python -m chaosml`) for a file of each family
ENTRY_FILES = ["empty.yaml", "tabs.yaml", "unknown-key.yaml", "gameday-plan.yaml"]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name", ENTRY_FILES)
def test_the_entry_point_exits_2_without_a_traceback(name: str, command: str) -> None:
    path = BROKEN / name
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", command, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _expected_on(command, path) in done.stderr + done.stdout


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    exp = tmp_path / "many.yaml"
    exp.write_text(
        "version: 1\ntitle: x\nmethod:\n  - wait: 5 minutes\n  - fault: process.rn\n  - wiat: 1s\n"
    )
    with pytest.raises(ValidationError) as info:
        load_file(exp)
    assert len(info.value.problems) == 3
    lines = sorted(p.line or 0 for p in info.value.problems)
    assert lines == [4, 5, 6]
