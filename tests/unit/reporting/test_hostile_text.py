"""User data in titles and probe output is shown literally by every report and the console:
well-formed JUnit XML, no raw HTML or image from Markdown, no escape sequence on a terminal."""

from __future__ import annotations

import io
import json
import xml.dom.minidom
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from chaosml.journal.parse import parse_event
from chaosml.reporting.console import ConsoleObserver
from chaosml.reporting.journal_reader import RunReport, read_journal
from chaosml.reporting.junit import render_junit
from chaosml.reporting.markdown import render_markdown

DATA = Path(__file__).parent / "data"
CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f\x85"
TITLE = f"drill \x1b[31mred\x1b[0m {CONTROL} <b>bold</b> end"
OUTPUT = (
    "<script>alert(1)</script> </details> ![pixel](http://127.0.0.1:9/p.png) "
    "[link](http://127.0.0.1:9/) <img src=x onerror=alert(1)> | cell \x00\x08\x1b[2J"
)


def _hostile(event: dict[str, Any]) -> dict[str, Any]:
    if event["event"] == "run.start":
        event["title"] = TITLE
    if event["event"] == "probe.result" and not event["ok"]:
        event["name"] = "probe " + OUTPUT
        event["reason"] = "answered " + OUTPUT
        event["value"] = {"value": OUTPUT, "text": OUTPUT}
    if event["event"] == "run.end":
        event["reason"] = "deviated: " + OUTPUT
    return event


def hostile_report(tmp_path: Path) -> RunReport:
    lines = (DATA / "deviated.jsonl").read_text().splitlines()
    events = [_hostile(json.loads(line)) for line in lines]
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return read_journal(path)


def test_junit_stays_well_formed_xml_with_control_characters(tmp_path: Path) -> None:
    text = render_junit([hostile_report(tmp_path)])
    xml.dom.minidom.parseString(text.encode())  # a strict parser: raises on what XML forbids
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "drill red  <b>bold</b> end"
    failures = [f.get("message") or "" for f in root.iter("failure")]
    assert any("<script>alert(1)</script>" in m for m in failures)  # shown as text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.opened.append(tag)


def _rendered_tags(markdown: str) -> list[str]:
    """The HTML elements a CommonMark renderer (raw HTML allowed, as GitHub does) makes."""
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    tags = _Tags()
    tags.feed(html)
    return tags.opened


def test_markdown_renders_no_html_and_no_image_from_probe_output(tmp_path: Path) -> None:
    text = render_markdown([hostile_report(tmp_path)])
    tags = _rendered_tags(text)
    assert not {"script", "img", "a", "em"} & set(tags), tags
    assert tags.count("details") == 1  # only the report's own
    assert "<script>alert(1)</script>" in MarkdownIt().render(text).replace("&lt;", "<").replace(
        "&gt;", ">"
    )  # shown as text
    assert "\x1b" not in text and "\x00" not in text


@pytest.mark.parametrize("color", [False, True])
def test_the_console_shows_no_escape_byte_from_user_data(color: bool) -> None:
    lines = (DATA / "deviated.jsonl").read_text().splitlines()
    out = io.StringIO()
    console = ConsoleObserver(stream=out, color=color)
    for line in lines:
        console(parse_event(_hostile(json.loads(line))))
    shown = out.getvalue()
    assert "drill red" in shown and "<script>alert(1)</script>" in shown
    assert not [c for c in shown if ord(c) < 32 and c not in "\n\t"]
    assert "\x7f" not in shown and "\x85" not in shown and "[2J" not in shown


def test_the_live_status_line_shows_no_escape_byte_from_user_data() -> None:
    from chaosml.reporting.live import LiveView

    view = LiveView()
    try:
        view._track(parse_event({"event": "phase", "name": "method \x1b[2J"}))
        applied = {"event": "fault.applied", "name": "kill \x1b]0;pwned\x07", "step": 0}
        view._track(parse_event(applied))
        shown = view._status().plain
    finally:
        view.live.stop()
    assert "method" in shown and "kill" in shown
    assert not [c for c in shown if ord(c) < 32 and c != "\n"]
