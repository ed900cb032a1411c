"""``chaosml sensitivity EXP``: search the smallest value of a fault parameter at which the
named alert still fires (docs/sensitivity.md). Exit 0 found, 1 not detected even at the high
bound, 2 bad input, 3 never steady, 4 halt/guard, 5 tool error, 6 rollback incomplete, 130
signal."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.run_flags import RunFlags
from chaosml.engine.signals import ROUTER
from chaosml.errors import InputError
from chaosml.history.hook import record_journals
from chaosml.history.records import RUN
from chaosml.loader import load_file
from chaosml.redaction import Redactor
from chaosml.reporting import sensitivity_report as render
from chaosml.reporting.console import ConsoleObserver
from chaosml.sensitivity.search import SearchResult, SearchSetup, search
from chaosml.sensitivity.trial import TrialRecord


def sensitivity(
    experiment: Path,
    flags: RunFlags,
    search_dir: Path | None,
    quiet: bool,
) -> int:
    def body() -> int:
        loaded = load_file(experiment, flags.overrides())
        if loaded.experiment.sensitivity is None:
            raise InputError(
                f"{experiment}: no 'sensitivity:' section: name the fault parameter to search "
                "(docs/sensitivity.md)"
            )
        options = flags.run_options(Redactor(loaded.secret_values)(list(sys.argv)))
        observers = [] if quiet else [ConsoleObserver()]
        setup = SearchSetup(loaded, options, search_dir, observers=list(observers))
        setup.progress = _progress
        result = asyncio.run(search(setup))
        _print(result)
        trials = [(Path(t.journal), RUN, result.search_id) for t in result.trials if t.journal]
        record_journals([*trials, (result.journal, RUN, result.search_id)])  # docs/history.md
        return int(result.exit_code)

    with ROUTER.installed():
        return guarded(body, flags.debug)


def _progress(record: TrialRecord) -> None:
    ttd = record.time_to_detect_s
    fired = "silent" if not record.fired else "fired" + (f" ({ttd:.2f}s)" if ttd else "")
    print(f"trial {record.index}: {record.value:g} {fired} [{record.status}]", flush=True)


def _print(result: SearchResult) -> None:
    report = render.read_search(result.journal)
    for name, text in (
        ("report.md", render.render_markdown(report)),
        ("report.html", render.render_html(report)),
        ("result.json", render.render_json(report)),
    ):
        (result.directory / name).write_text(text, encoding="utf-8")
    print(render.render_markdown(report))
    print(f"search journal: {result.journal}")
    print(f"report: {result.directory / 'report.html'}")
    print(result.message)
