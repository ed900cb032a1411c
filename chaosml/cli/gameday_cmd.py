"""``chaosml gameday PLAN``: run a drill and print one summary; exit with the most severe code.

A plain function the typer app wires in. Bad input (plan or experiment files, environment,
halt in force, targets locked by another run) raises a ``ChaosMLError`` subclass of
``InputError`` (exit 2) before anything runs; otherwise it returns the drill's exit code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from chaosml.cli.run_flags import RunFlags
from chaosml.engine import halt
from chaosml.engine.blast_radius import ENV_VAR
from chaosml.engine.signals import ROUTER
from chaosml.gameday.engine_adapter import EngineRunner, ObserverFactory, keys_of
from chaosml.gameday.plan import load_plan
from chaosml.gameday.runner import DrillOptions, DrillRunner, ExperimentRequest
from chaosml.gameday.summary import drill_headline, render_summary
from chaosml.history.hook import record_drill
from chaosml.journal.writer import Observer
from chaosml.reporting.annotations import annotation_observers
from chaosml.reporting.console import ConsoleObserver
from chaosml.reporting.files import ReportPaths, write_reports
from chaosml.watchdog.drill import drill_record


def gameday_command(
    plan: Path,
    flags: RunFlags,
    report_dir: Path | None = None,
    pushgateway: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    journal_dir = flags.journal_dir
    with ROUTER.installed():  # before the first side effect, until the exit code is known
        halt.check_settings(flags.halt_unreachable)  # chaosml.toml and the flag: exit 2 now
        loaded = load_plan(plan)
        options = DrillOptions(
            environment=flags.env or os.environ.get(ENV_VAR) or None,
            overrides=flags.overrides(),
            journal_dir=journal_dir,
        )
        observers = _observers(len(loaded.plan.experiments), pushgateway, out)
        engine = EngineRunner(flags.run_options(list(sys.argv)), observers)
        with halt.drill_board() as board:
            runner = DrillRunner(
                loaded, options, engine, keys_of, halted=board.halted, interrupted=ROUTER.first
            )
            out.write(f"Game day {runner.drill_id}: {loaded.plan.title}\n")
            with drill_record(
                journal_dir, runner.drill_id, loaded.plan.title, flags.watchdog
            ) as record:
                result = runner.run()
                record.ended(int(result.exit_code), result.stopped)
        journals = [o.journal for o in result.outcomes]
        record_drill(journal_dir / f"{runner.drill_id}.jsonl", journals, runner.drill_id)
        out.write("\n" + render_summary(result))
        if report_dir is not None:
            paths = ReportPaths.in_directory(report_dir, result.drill_id)
            for path in write_reports(result.reports, paths, drill_headline(result)):
                out.write(f"wrote {path}\n")
        return int(result.exit_code)


def _observers(total: int, pushgateway: str | None, out: TextIO) -> ObserverFactory:
    """Per experiment: a progress line, the console, and the annotation observers configured
    by the environment (``chaosml.reporting.annotations``)."""

    def make(request: ExperimentRequest) -> list[Observer]:
        out.write(f"[{request.index + 1}/{total}] {request.path.name}\n")
        out.flush()
        return [ConsoleObserver(out), *annotation_observers(pushgateway=pushgateway)]

    return make
