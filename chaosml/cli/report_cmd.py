"""``chaosml report JOURNAL… [--html P] [--junit P] [--markdown P]``: render journals.

A plain function the typer app wires in; it raises ``InputError`` (exit 2) for a journal it
cannot read or a report it cannot write, and returns the exit code otherwise (0: rendered).
Without any output path it prints the Markdown report to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode
from chaosml.reporting import sensitivity_report
from chaosml.reporting.files import ReportPaths, write_reports, write_text
from chaosml.reporting.journal_reader import read_runs
from chaosml.reporting.markdown import render_markdown


def report_command(
    journals: Sequence[Path],
    html: Path | None = None,
    junit: Path | None = None,
    markdown: Path | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout  # the stream of the call, not the one at import (a test's runner)
    if not journals:
        raise InputError("no journal given", hint="chaosml report chaosml-journals/RUN_ID.jsonl")
    if len(journals) == 1 and sensitivity_report.is_search_journal(journals[0]):  # issue 14
        return _search_report(journals[0], html, markdown, out)
    reports = [run for path in journals for run in read_runs(path)]  # every run of each
    paths = ReportPaths(html, junit, markdown)
    if not paths.written():
        out.write(render_markdown(reports))
        return int(ExitCode.OK)
    for path in write_reports(reports, paths):
        out.write(f"wrote {path}\n")
    return int(ExitCode.OK)


def _search_report(path: Path, html: Path | None, markdown: Path | None, out: TextIO) -> int:
    """A sensitivity search journal: its table, plot (HTML) and verdict (docs/sensitivity.md)."""
    for target, text in sensitivity_report.search_outputs(path, html, markdown).items():
        if target is None:
            out.write(text)
        else:
            write_text(target, text)
            out.write(f"wrote {target}\n")
    return int(ExitCode.OK)
