"""Every report of some journals in one directory (``chaosml run --report-dir``, the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chaosml.reporting import files
from chaosml.reporting.journal_reader import read_runs


def write_reports(journals: Sequence[Path], report_dir: Path) -> list[Path]:
    """HTML, JUnit and Markdown of the journals in ``report_dir``, named after the (first)
    run id; returns the files written. Raises InputError when a journal cannot be read."""
    reports = [run for path in journals for run in read_runs(path)]
    stem = reports[0].run_id if len(reports) == 1 and reports[0].run_id else journals[0].stem
    return files.write_reports(reports, files.ReportPaths.in_directory(report_dir, stem))
