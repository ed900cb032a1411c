"""A feed corruption that never saw a JSON body did nothing: the run says so and ends 5, or 0
with ``allow_no_effect: true`` — and the report says "no effect". Real proxy, real sockets."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from chaosml.exit_codes import ExitCode
from tests.fixtures.encoded_feeds import port_of


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _experiment(tmp_path: Path, feed: str, endpoint: str, allow: bool) -> Path:
    port = _free_port()
    exp = tmp_path / "exp.yaml"
    allow_line = "\n    allow_no_effect: true" if allow else ""
    exp.write_text(f"""
version: 1
title: NaN features reach the model
proxies:
  - {{name: features, listen: "127.0.0.1:{port}", upstream: "127.0.0.1:{port_of(feed)}", protocol: http}}
method:
  - fault: feed.corrupt
    proxy: {{name: features}}
    mode: nan
    fields: ["$.records[*].age", "$.age"]
    seed: 1{allow_line}
  - probe:
      name: features served
      http: {{url: "http://127.0.0.1:{port}{endpoint}"}}
      expect: {{status: 200}}
  - probe:
      name: features served again
      http: {{url: "http://127.0.0.1:{port}{endpoint}"}}
      expect: {{status: 200}}
""")
    return exp


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _drill(
    tmp_path: Path, feed: str, endpoint: str, allow: bool, exit_code: ExitCode
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the experiment through the CLI; its output and journal, its exit code checked."""
    journal = tmp_path / "j.jsonl"
    exp = _experiment(tmp_path, feed, endpoint, allow)
    done = _run("run", str(exp), "--journal", str(journal))
    assert done.returncode == exit_code, done.stdout + done.stderr
    return done, journal


def test_only_non_json_traffic_ends_5_with_the_reason(tmp_path: Path, encoded_feed: str) -> None:
    done, journal = _drill(tmp_path, encoded_feed, "/text", False, ExitCode.TOOL_ERROR)
    reason = "the fault feed.corrupt had no effect: 2 responses, 0 JSON, 0 records, 0 changed"
    assert f"{reason} — 2 were non-JSON" in done.stdout
    assert "NO EFFECT" in done.stdout  # the evidence line at undo
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    end = events[-1]
    assert end["status"] == "failed" and end["ended_by"] == "no-effect"
    evidence = next(e for e in events if e["event"] == "fault.evidence")
    assert evidence["effect"] is False and evidence["counters"]["skipped:non-JSON"] == 2


def test_allow_no_effect_ends_0_and_the_report_says_no_effect(
    tmp_path: Path, encoded_feed: str
) -> None:
    _, journal = _drill(tmp_path, encoded_feed, "/text", True, ExitCode.OK)
    markdown, html, junit = tmp_path / "r.md", tmp_path / "r.html", tmp_path / "r.xml"
    paths = ["--markdown", str(markdown), "--html", str(html), "--junit", str(junit)]
    report = _run("report", str(journal), *paths)
    assert report.returncode == 0, report.stderr
    assert "fault **feed.corrupt**: no effect — 2 responses, 0 JSON" in markdown.read_text()
    assert "no effect</span>: 2 responses, 0 JSON" in html.read_text()
    assert re.search(
        r'name="fault \S+\.u1 feed\.corrupt" value="no effect: 2 responses, 0 JSON',
        junit.read_text(),
    )


def test_gzip_traffic_is_corrupted_and_the_evidence_says_so(
    tmp_path: Path, encoded_feed: str
) -> None:
    done, _ = _drill(tmp_path, encoded_feed, "/enc/gzip", False, ExitCode.OK)
    assert "effect — 2 responses, 2 JSON, 800 records, 800 changed (800 fields)" in done.stdout
