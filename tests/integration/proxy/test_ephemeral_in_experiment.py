"""An experiment that declares its own proxy: chaosml starts it for the run, the fault finds it
by name, and nothing is left listening afterwards."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.http_servers import QuietHandler, serving


class _Features(QuietHandler):
    def do_GET(self) -> None:
        self.reply(200, b'{"features": {"age": 41}}')


@pytest.fixture
def upstream() -> Iterator[str]:
    with serving(_Features) as url:
        yield url.removeprefix("http://")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ephemeral_proxy_started_used_and_stopped(tmp_path: Path, upstream: str) -> None:
    port = _free_port()
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"""
version: 1
title: slow features through a proxy chaosml starts itself
proxies:
  - {{name: features, listen: "127.0.0.1:{port}", upstream: "{upstream}", protocol: http}}
steady_state:
  - name: features fast
    http: {{url: "http://127.0.0.1:{port}/features/7", measure: latency}}
    expect: {{below: 0.15}}
method:
  - fault: proxy.latency
    proxy: {{name: features}}
    latency: 300ms
  - probe:
      name: features slow
      http: {{url: "http://127.0.0.1:{port}/features/7", measure: latency}}
      expect: {{above: 0.25}}
""")
    journal = tmp_path / "j.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", str(journal)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    started = [e for e in events if e["event"] == "proxy.started"]
    assert started and started[0]["name"] == "features"
    undo = next(e for e in events if e["event"] == "fault.undo_registered")["undo"]
    assert undo["data"]["ephemeral"] is True and undo["data"]["api"] == started[0]["api"]
    with socket.socket() as sock:  # nothing listens any more
        assert sock.connect_ex(("127.0.0.1", port)) != 0
