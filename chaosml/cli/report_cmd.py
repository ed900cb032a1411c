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
from chaosml.reporting.files import ReportPaths, write_reports
from chaosml.reporting.journal_reader import read_runs
from chaosml.reporting.markdown import render_markdown


def report_command(
    journals: Sequence[Path],
    html: Path | None = None,
    junit: Path | None = None,
    markdown: Path | None = None,
    out: TextIO = sys.stdout,
) -> int:
    if not journals:
        raise InputError("no journal given", hint="chaosml report chaosml-journals/RUN_ID.jsonl")
    reports = [run for path in journals for run in read_runs(path)]  # every run of each
    paths = ReportPaths(html, junit, markdown)
    if not paths.written():
        out.write(render_markdown(reports))
        return int(ExitCode.OK)
    for path in write_reports(reports, paths):
        out.write(f"wrote {path}\n")
    return int(ExitCode.OK)
