"""The typer app's ``gameday`` command: ``gameday_command`` inside the one error guard."""

from __future__ import annotations

from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.gameday_cmd import gameday_command


def gameday(
    plan: Path,
    env: str | None,
    report_dir: Path | None,
    journal_dir: Path,
    debug: bool,
    var: list[str] | None = None,
    allow_python: bool = False,
    seed: int | None = None,
    pushgateway: str | None = None,
    watchdog: bool = True,
    halt_unreachable: str | None = None,
) -> int:
    return guarded(
        lambda: gameday_command(
            plan,
            env=env,
            var=var or [],
            journal_dir=journal_dir,
            report_dir=report_dir,
            allow_python=allow_python,
            seed=seed,
            pushgateway=pushgateway,
            watchdog=watchdog,
            halt_unreachable=halt_unreachable,
        ),
        debug,
    )
