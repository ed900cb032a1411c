"""The typer app's ``report`` command (``report_command`` inside the one error guard), and
``write_reports`` for ``chaosml run --report-dir``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.cli.report_cmd import report_command
from chaosml.reporting import files
from chaosml.reporting.journal_reader import read_runs


def report(
    journals: list[Path], html: Path | None, junit: Path | None, markdown: Path | None, debug: bool
) -> int:
    return guarded(lambda: report_command(journals, html, junit, markdown), debug)


def write_reports(journals: Sequence[Path], report_dir: Path) -> list[Path]:
    """HTML, JUnit and Markdown of the journals in ``report_dir``, named after the (first)
    run id; returns the files written. Raises InputError when a journal cannot be read."""
    reports = [run for path in journals for run in read_runs(path)]
    stem = reports[0].run_id if len(reports) == 1 and reports[0].run_id else journals[0].stem
    return files.write_reports(reports, files.ReportPaths.in_directory(report_dir, stem))
