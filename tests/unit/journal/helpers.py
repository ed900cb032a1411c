"""Running chaosml's commands in-process as a user would, and reading what they wrote."""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chaosml.cli.report_cmd import report_command
from chaosml.cli.report_entry import report
from chaosml.journal.reader import load_events
from chaosml.reporting.console import ConsoleObserver


def run_cli(command: Callable[[], int]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = command()
    return code, out.getvalue() + err.getvalue()


@dataclass
class Rendered:
    """A journal in every format chaosml renders it in."""

    console: str
    markdown_stdout: str
    markdown: str
    html: str
    junit: ET.Element


def every_format(journal: Path, out_dir: Path) -> Rendered:
    html, junit, markdown = out_dir / "r.html", out_dir / "r.xml", out_dir / "r.md"
    out = io.StringIO()
    assert report_command([journal], out=out) == 0  # Markdown on stdout
    stdout = out.getvalue()
    code, text = run_cli(lambda: report([journal], html, junit, markdown, False))
    assert code == 0, text
    console = io.StringIO()
    observer = ConsoleObserver(console, color=False)
    for event in load_events(journal):
        observer(event)
    return Rendered(
        console.getvalue(),
        stdout,
        markdown.read_text(encoding="utf-8"),
        html.read_text(encoding="utf-8"),
        ET.parse(junit).getroot(),
    )


def junit_cases(junit: ET.Element) -> dict[str, str]:
    """Each test case's name and its outcome: passed, failure, skipped or error."""
    found = {}
    for case in junit.iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "skipped", "error")]
        found[case.get("name", "")] = kinds[0] if kinds else "passed"
    return found
