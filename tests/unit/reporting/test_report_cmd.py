from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chaosml.cli.report_cmd import report_command
from chaosml.errors import InputError
from chaosml.reporting.files import ReportPaths, write_reports
from chaosml.reporting.journal_reader import read_journal

DATA = Path(__file__).parent / "data"
JOURNALS = [DATA / "passed.jsonl", DATA / "deviated.jsonl"]


def test_writes_each_requested_format(tmp_path: Path) -> None:
    out = io.StringIO()
    html, junit, md = tmp_path / "r.html", tmp_path / "deep" / "r.xml", tmp_path / "r.md"
    assert report_command(JOURNALS, html, junit, md, out=out) == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert len(ET.parse(junit).getroot().findall("testsuite")) == 2
    assert md.read_text().startswith("### chaosml: 1/2 experiments held")
    assert out.getvalue().splitlines() == [f"wrote {html}", f"wrote {junit}", f"wrote {md}"]


def test_without_paths_prints_markdown() -> None:
    out = io.StringIO()
    assert report_command(JOURNALS[:1], out=out) == 0
    assert out.getvalue().startswith("### chaosml: 1/1 experiment held")


def test_bad_journal_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        report_command([tmp_path / "missing.jsonl"], out=io.StringIO())
    with pytest.raises(InputError, match="no journal given"):
        report_command([], out=io.StringIO())


def test_report_dir_names(tmp_path: Path) -> None:
    paths = ReportPaths.in_directory(tmp_path, "gameday-1")
    written = write_reports([read_journal(JOURNALS[0])], paths)
    assert sorted(p.name for p in written) == [
        "gameday-1.html",
        "gameday-1.junit.xml",
        "gameday-1.md",
    ]
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left over


def test_unwritable_report_is_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write report"):
        report_command(JOURNALS[:1], html=blocker / "r.html", out=io.StringIO())
