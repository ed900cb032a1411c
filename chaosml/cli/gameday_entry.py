"""The typer app's ``gameday`` command: ``gameday_command`` inside the one error guard."""

from __future__ import annotations

from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.gameday_cmd import gameday_command
from chaosml.cli.run_flags import RunFlags


def gameday(plan: Path, flags: RunFlags, report_dir: Path | None, pushgateway: str | None) -> int:
    return guarded(lambda: gameday_command(plan, flags, report_dir, pushgateway), flags.debug)
