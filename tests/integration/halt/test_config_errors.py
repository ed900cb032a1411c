"""A chaosml.toml that is wrong stops every command that reads it with a located message
(exit 2) before anything runs; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.halt.accounts import Account

BAD = '[[stop_conditions]]\nname = "pages"\nalertmanager = "ftp://am"\nmatchers = {}\n'


@pytest.mark.parametrize("command", ["run", "gameday", "halt --status"])
def test_a_bad_config_file_is_refused_with_its_location(tmp_path: Path, command: str) -> None:
    account = Account(tmp_path / "sre")
    config = account.home / "chaosml.toml"
    config.write_text(BAD)
    exp = account.home / "quick.yaml"
    exp.write_text("version: 1\ntitle: quick\nmethod:\n  - wait: 0s\n")
    plan = account.home / "plan.yaml"
    plan.write_text(f"version: 1\ntitle: p\nexperiments:\n  - path: {exp}\n")
    target = {"run": [str(exp)], "gameday": [str(plan)]}.get(command, [])
    done = account.chaosml(*command.split(), *target)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{config}:3:1: stop_conditions[0].alertmanager" in done.stderr
    assert f"{config}:4:1: stop_conditions[0].matchers" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_named_config_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    account = Account(tmp_path / "sre", {"CHAOSML_CONFIG": str(tmp_path / "nope.toml")})
    done = account.quick_run()
    assert done.returncode == 2 and "cannot read the config file" in done.stderr


def test_the_project_config_in_the_working_directory_is_used(tmp_path: Path) -> None:
    account = Account(tmp_path / "sre", {"CHAOSML_CONFIG": ""})
    (account.home / "chaosml.toml").write_text('[halt]\nsource_unreachable = "sometimes"\n')
    done = account.quick_run()  # runs in the account's HOME: its chaosml.toml is the project's
    assert done.returncode == 2 and "halt.source_unreachable" in done.stderr
