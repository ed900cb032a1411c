"""Writing the rendered reports to disk: the only I/O of the reporting renderers.

``write_reports(reports, directory, stem)`` writes ``<stem>.html``, ``<stem>.junit.xml`` and
``<stem>.md`` side by side; ``chaosml run --report-dir`` and ``chaosml gameday --report-dir``
use it, ``chaosml report`` writes the paths it is given.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from chaosml.errors import InputError
from chaosml.reporting.html import DrillHeadline, render_html
from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.junit import render_junit
from chaosml.reporting.markdown import render_markdown


@dataclass(frozen=True)
class ReportPaths:
    html: Path | None = None
    junit: Path | None = None
    markdown: Path | None = None

    @classmethod
    def in_directory(cls, directory: Path, stem: str) -> ReportPaths:
        return cls(
            directory / f"{stem}.html", directory / f"{stem}.junit.xml", directory / f"{stem}.md"
        )

    def written(self) -> list[Path]:
        return [p for p in (self.html, self.junit, self.markdown) if p is not None]


def write_reports(
    reports: Sequence[RunReport], paths: ReportPaths, headline: DrillHeadline | None = None
) -> list[Path]:
    """Render and write each requested format; returns the files written. ``headline``: a game
    day's plan title, duration and exit code, for the HTML report's top."""
    renderers = (
        (paths.html, partial(render_html, headline=headline)),
        (paths.junit, render_junit),
        (paths.markdown, render_markdown),
    )
    for path, render in renderers:
        if path is not None:
            write_text(path, render(reports))
    return paths.written()


def write_text(path: Path, text: str) -> None:
    """Atomically (temporary file, then rename), creating the directory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write report {path}: {exc.strerror}") from exc
