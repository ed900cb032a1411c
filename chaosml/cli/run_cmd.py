"""``chaosml run``: load, run, print, exit with the run's code."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.plan import dry_run
from chaosml.cli.run_flags import RunFlags
from chaosml.engine import halt
from chaosml.engine.alert_clocks import max_skew_seconds
from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import RunOutcome
from chaosml.engine.signals import ROUTER
from chaosml.engine.state import RunOptions
from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode, most_severe
from chaosml.history.hook import record_journal
from chaosml.journal.writer import Observer
from chaosml.loader import load_file
from chaosml.model.loaded import Loaded
from chaosml.redaction import Redactor
from chaosml.reporting.console import ConsoleObserver


def run(
    experiments: list[Path],
    flags: RunFlags,
    *,
    journal: Path | None,
    report_dir: Path | None,
    dry_run: bool,
    keep_faults: bool,
    append_journal: bool = False,
    max_clock_skew: str | None = None,
) -> int:
    def body() -> int:
        if journal is not None and len(experiments) > 1:
            raise InputError("--journal names one file; with several experiments use --journal-dir")
        overrides = flags.overrides()
        skew = max_skew_seconds(max_clock_skew)
        halt.check_settings(flags.halt_unreachable)  # chaosml.toml and the flag: exit 2 now
        loaded = [load_file(p, overrides) for p in experiments]  # all valid before anything runs
        codes = []
        for item in loaded:
            if ROUTER.received:  # never start another experiment after a signal
                codes.append(_not_started(item))
                continue
            options = replace(
                flags.run_options(Redactor(item.secret_values)(list(sys.argv))),
                dry_run=dry_run,
                keep_faults=keep_faults,
                journal_path=journal,
                append_journal=append_journal,
                max_clock_skew_s=skew,
            )
            codes.append(_run_one(item, options, report_dir, flags.debug))
        return int(most_severe(codes))

    with ROUTER.installed():  # before the first side effect, until the exit code is known
        return guarded(body, flags.debug)


def _not_started(item: Loaded) -> ExitCode:
    print(
        f"{item.path}: not started: interrupted by {ROUTER.first()}; nothing was touched",
        file=sys.stderr,
    )
    return ExitCode.INTERRUPTED


def _run_one(item: Loaded, options: RunOptions, report_dir: Path | None, debug: bool) -> ExitCode:
    from chaosml.reporting.annotations import annotation_observers

    if options.dry_run:
        return dry_run(item, options, debug)
    observers: list[Observer] = [
        _observer(),
        *annotation_observers(sources=item.experiment.sources),
    ]
    outcome = run_experiment(item, options, observers=observers, debug=debug)
    _after(outcome, report_dir)
    record_journal(outcome.journal_path)  # the drill history; a failure is only a warning
    return outcome.exit_code


def _observer() -> ConsoleObserver:
    """The live view on a terminal, plain lines otherwise (pipes, CI logs)."""
    if sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        from chaosml.reporting.live import LiveView

        return LiveView()
    return ConsoleObserver()


def _after(outcome: RunOutcome, report_dir: Path | None) -> None:
    if outcome.journal_path is not None:
        print(f"journal: {outcome.journal_path}")
    if outcome.pending_undos:
        print(
            f"faults may still be in place: run  chaosml rollback {outcome.journal_path}",
            file=sys.stderr,
        )
    if report_dir is not None and outcome.journal_path is not None:
        from chaosml.reporting.report_dir import write_reports

        write_reports([outcome.journal_path], report_dir)
    if os.environ.get("CHAOSML_PRINT_EXIT"):
        print(f"exit code {int(outcome.exit_code)}")
