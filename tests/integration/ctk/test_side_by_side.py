"""The same experiment run by Chaos Toolkit and, after ``chaosml import``, by chaosml, against the
same local service in three states: the verdicts correspond.

| service state | Chaos Toolkit | chaosml |
|---|---|---|
| steady, the method does no harm | completed, exit 0 | completed, exit 0 |
| not steady before the method | method skipped, **exit 0** (its documented case) | not-steady, exit 3 |
| the method breaks it | deviated (after-method hypothesis fails), exit 1 | deviated, exit 1 |

Chaos Toolkit is the real one (``chaos`` from PyPI, in the dev extra); both run as CLIs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.http_servers import QuietHandler, serving
from tests.fixtures.services import require

BIN = Path(sys.executable).parent
EXPERIMENT = {
    "version": "1.0.0",
    "title": "The model server stays healthy while its cache is flushed",
    "description": "Flushing the cache must not make the health check fail.",
    "configuration": {
        "base": {"type": "env", "key": "SERVICE_URL"},
        "action": {"type": "env", "key": "ACTION_PATH", "default": "flush"},
    },
    "steady-state-hypothesis": {
        "title": "healthy",
        "probes": [
            {
                "type": "probe",
                "name": "health answers 200",
                "tolerance": 200,
                "provider": {"type": "http", "url": "${base}/health", "timeout": 3},
            }
        ],
    },
    "method": [
        {
            "type": "action",
            "name": "flush the cache",
            "provider": {"type": "http", "url": "${base}/${action}", "method": "POST"},
        }
    ],
    "rollbacks": [
        {
            "type": "action",
            "name": "repair",
            "provider": {"type": "http", "url": "${base}/repair", "method": "POST"},
        }
    ],
}


class Service(QuietHandler):
    """``/health``: 200 while healthy, else 500; POST ``/break`` breaks it, ``/repair`` repairs."""

    state: dict[str, bool] = {"healthy": True}

    def do_GET(self) -> None:
        self.reply_json(200 if self.state["healthy"] else 500, {"healthy": self.state["healthy"]})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/break":
            self.state["healthy"] = False
        elif self.path == "/repair":
            self.state["healthy"] = True
        self.reply_json(200, {"ok": True})


@pytest.fixture
def service() -> Iterator[tuple[str, dict[str, bool]]]:
    state = {"healthy": True}
    handler = type("ThisService", (Service,), {"state": state})
    with serving(handler) as url:
        yield url, state


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    require(shutil.which("chaos", path=str(BIN)) is not None, "Chaos Toolkit (chaos, dev extra)")
    source = tmp_path / "experiment.json"
    source.write_text(json.dumps(EXPERIMENT, indent=2))
    converted = tmp_path / "experiment.chaosml.yaml"
    done = _run([str(BIN / "chaosml"), "import", str(source), "-o", str(converted)], {})
    assert done.returncode == 0, done.stderr  # every part converts natively
    return {"source": source, "converted": converted, "dir": tmp_path}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env, "HOME": env.get("HOME", os.environ.get("HOME", "/tmp"))}
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=120)


def _chaostoolkit(files: dict[str, Path], env: dict[str, str]) -> tuple[int, Any]:
    journal = files["dir"] / "ctk-journal.json"
    settings = files["dir"] / "ctk-settings.yaml"
    settings.write_text("{}\n")
    command = [
        str(BIN / "chaos"),
        "--no-version-check",
        "--settings",
        str(settings),
        "--log-file",
        str(files["dir"] / "chaostoolkit.log"),
        "run",
        "--journal-path",
        str(journal),
        str(files["source"]),
    ]
    done = _run(command, {**env, "HOME": str(files["dir"])})
    return done.returncode, json.loads(journal.read_text())


def _chaosml(files: dict[str, Path], env: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
    journal = files["dir"] / "chaosml-journal.jsonl"
    done = _run(
        [str(BIN / "chaosml"), "run", str(files["converted"]), "--journal", str(journal)], env
    )
    events = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    return done.returncode, events


def _status(events: list[dict[str, Any]]) -> str:
    return next(e for e in events if e.get("event") == "run.end")["status"]


def test_steady_service_completes_in_both(service: Any, files: dict[str, Path]) -> None:
    url, state = service
    env = {"SERVICE_URL": url, "ACTION_PATH": "flush"}
    ctk_code, ctk = _chaostoolkit(files, env)
    assert (ctk_code, ctk["status"], ctk["deviated"]) == (0, "completed", False)
    code, events = _chaosml(files, env)
    assert (code, _status(events)) == (0, "completed")
    assert state["healthy"] is True


def test_not_steady_before_the_method(service: Any, files: dict[str, Path]) -> None:
    url, state = service
    env = {"SERVICE_URL": url, "ACTION_PATH": "flush"}
    state["healthy"] = False
    ctk_code, ctk = _chaostoolkit(files, env)
    # Chaos Toolkit's documented case: the hypothesis failed before the method, exit 0
    assert ctk_code == 0
    assert ctk["steady_states"]["before"]["steady_state_met"] is False
    assert ctk["run"] == []  # its method did not run: nothing was proven, yet exit 0
    state["healthy"] = False
    code, events = _chaosml(files, env)
    assert (code, _status(events)) == (3, "not-steady")  # a scheduler sees nothing was proven


def test_a_method_that_breaks_the_service_deviates_in_both(
    service: Any, files: dict[str, Path]
) -> None:
    url, state = service
    env = {"SERVICE_URL": url, "ACTION_PATH": "break"}
    ctk_code, ctk = _chaostoolkit(files, env)
    assert (ctk_code, ctk["deviated"]) == (1, True)
    assert ctk["steady_states"]["after"]["steady_state_met"] is False
    assert state["healthy"] is True  # its rollback repaired it
    code, events = _chaosml(files, env)
    assert (code, _status(events)) == (1, "deviated")
    assert state["healthy"] is True
