"""The actions http.request and python.call, end to end with the CLI: what the service received,
what the function did, and --allow-python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from chaosml.cli.app import app
from tests.fixtures.http_servers import QuietHandler, serving

DOCS = Path(__file__).resolve().parents[3] / "docs" / "drivers"


class Recorder(QuietHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        self.reply_json(200, {"ok": True})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.path)
        self.reply_json(503 if self.path == "/cache/warm" else 200, {"ok": True})


def _events(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]


def test_http_request_actions_reach_the_service_in_the_method_and_the_rollbacks(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    handler = type("R", (Recorder,), {"seen": seen})
    journal = tmp_path / "j.jsonl"
    with serving(handler) as url:
        result = CliRunner().invoke(
            app,
            ["run", str(DOCS / "http-request.yaml"), "--journal", str(journal)],
            env={"MODEL_URL": url},
        )
    assert result.exit_code == 0, result.output
    assert seen == ["/cache/flush", "/cache/warm"]  # a 503 from a rollback is recorded only
    assert _events(journal)[-1]["status"] == "completed"


def test_a_failing_status_fails_the_step_when_asked(tmp_path: Path) -> None:
    seen: list[str] = []
    handler = type("R", (Recorder,), {"seen": seen})
    exp = tmp_path / "e.yaml"
    with serving(handler) as url:
        exp.write_text(
            "version: 1\ntitle: t\nmethod:\n"
            f"  - action: http.request\n    url: {url}/cache/warm\n    method: POST\n"
            "    fail_on_status: true\n"
        )
        result = CliRunner().invoke(app, ["run", str(exp), "--journal", str(tmp_path / "j")])
    assert result.exit_code != 0
    assert "answered 503" in result.output


def test_python_call_is_refused_without_allow_python_and_runs_with_it(tmp_path: Path) -> None:
    target = tmp_path / "made-by-python-call"
    env = {"CHAOSML_EXAMPLE_DIR": str(target)}
    example = str(DOCS / "python-call.yaml")
    refused = CliRunner().invoke(app, ["run", example, "--journal", str(tmp_path / "a")], env=env)
    assert refused.exit_code == 2
    assert "--allow-python" in refused.output
    assert not target.exists()
    journal = tmp_path / "b.jsonl"
    ran = CliRunner().invoke(
        app, ["run", example, "--allow-python", "--journal", str(journal)], env=env
    )
    assert ran.exit_code == 0, ran.output
    assert not target.exists()  # made by the method, removed by the rollback
    assert _events(journal)[-1]["status"] == "completed"  # the probe saw the directory
