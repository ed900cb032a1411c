"""The typer app's ``report`` command (``report_command`` inside the one error guard)."""

from __future__ import annotations

from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.report_cmd import report_command


def report(
    journals: list[Path], html: Path | None, junit: Path | None, markdown: Path | None, debug: bool
) -> int:
    return guarded(lambda: report_command(journals, html, junit, markdown), debug)
