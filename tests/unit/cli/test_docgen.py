"""docs/cli.md is generated from the typer app (python -m chaosml.cli.docgen > docs/cli.md) and
must be current: every command's --help, every CHAOSML_* environment variable."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from chaosml.cli.app import app
from chaosml.cli.docgen import ENVIRONMENT, render

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "cli.md"


def test_docs_cli_md_is_what_the_generator_writes() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run  python -m chaosml.cli.docgen > docs/cli.md"
    )


def test_every_environment_variable_the_package_reads_is_documented() -> None:
    names = {
        name
        for path in (ROOT / "chaosml").rglob("*.py")
        for name in re.findall(r"\bCHAOSML_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8"))
    }
    assert names, "the scan found nothing"
    assert sorted(names - set(ENVIRONMENT)) == []
    doc = DOC.read_text(encoding="utf-8")
    assert [name for name in sorted(names) if f"`{name}`" not in doc] == []


def test_every_command_has_its_help_in_the_reference() -> None:
    doc = DOC.read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {"": command})
        for sub in subcommands:
            title = f"## chaosml {name} {sub}".rstrip()
            assert title in doc
    for option in ("--pushgateway", "--allow-remote", "--token", "--out", "--docker", "--reason"):
        assert option in doc
