"""A secret never leaves `chaosml run` in any form: not on stdout/stderr, not in the journal,
the Markdown/HTML/JUnit reports, the target lock file or the Pushgateway/Grafana annotations.

The experiment puts the secret everywhere a user would: the title, an HTTP probe's URL and
header, a server answer that echoes it back in every encoding, a probe's error text cut short
by chaosml, a command's argument and environment, and a numeric secret used as a number.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from chaosml.io.ports import free_port
from tests.fixtures.http_servers import QuietHandler, serving

# a space, & and = (URL-encoding differs), a quote and a backslash (JSON, repr and shell
# quoting differ); the prefix is what no output may show even in part
SECRET = "S3CR3T-Zq9x7Lw2Vb8Nm4Kp6 with space&x=1/'q\"\\z"
PREFIX = "S3CR3T-Zq9"
PIN = 73914052  # a numeric secret, used as a number


def spellings(secret: str) -> dict[str, str]:
    return {
        "raw": secret,
        "url-encoded": quote(secret, safe=""),
        "requests' URL": quote(secret, safe="!#$%&'()*+,/:;=?@[]~"),
        "form-encoded": quote_plus(secret),
        "json-escaped": json.dumps(secret)[1:-1],
        "repr": repr(secret)[1:-1],
        "shell-quoted": shlex.quote(secret),
        "prefix": PREFIX,
        "pin": str(PIN),
    }


def _echo_body(token: str) -> str:
    """A 401 answer quoting what it was sent in every encoding, after 180 characters of
    preamble, so that a cut at 200 characters lands inside the token."""
    forms = {k: v for k, v in spellings(token).items() if k not in ("prefix", "pin")}
    return "x" * 180 + " token " + token + " " + " | ".join(forms.values())


class _Echo(QuietHandler):
    def do_GET(self) -> None:
        token = self.headers.get("X-Token", "")
        self.reply(401, _echo_body(token).encode(), "text/plain")


class _Capture(QuietHandler):
    """A Pushgateway and a Grafana in one: records every request it gets."""

    seen: list[str] = []
    lock = threading.Lock()

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode(errors="replace")
        with self.lock:
            self.seen.append(f"{self.command} {self.path}\n{body}")
        self.reply_json(200, {"id": 1} if self.command == "POST" else [])

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record


@pytest.fixture
def echo() -> Iterator[str]:
    with serving(_Echo) as url:
        yield url


@pytest.fixture
def capture() -> Iterator[type[_Capture]]:
    _Capture.seen = []
    yield _Capture


def _experiment(echo: str, lock_copy: Path, marker: Path) -> str:
    dead = f"http://127.0.0.1:{free_port()}"
    padding = "p" * 100  # urllib3's message about the dead URL is cut inside the token
    return f"""
version: 1
title: "drill for ${{token}} \\u001b[31m"
secrets:
  token: ${{env:DRILL_TOKEN}}
  pin: {PIN}
steady_state:
  - name: echo answers
    http:
      url: "{echo}/health?t=${{token}}"
      headers: {{X-Token: "${{token}}", X-Pin: "pin ${{pin}}"}}
    expect: {{status: 401}}
method:
  - fault: process.run
    command: [sh, -c, 'cp -p "$LOCKS"/*.json "$0"; touch "$1"', "{lock_copy}", "{marker}"]
    env: {{LOCKS: "{lock_copy.parent / "locks"}", TOKEN: "${{token}}"}}
    undo: [sh, -c, 'rm -f "$0"', "{marker}", "${{token}}"]
  - probe:
      name: echo rejects the token
      http:
        url: "{echo}/predict?t=${{token}}"
        headers: {{X-Token: "${{token}}"}}
      expect: {{status: 200}}
      tolerate_failure: true
  - probe:
      name: dead service with the token in its URL
      http: {{url: "{dead}/{padding}?t=${{token}}", timeout: 1s}}
      expect: {{status: 200}}
      tolerate_failure: true
  - probe:
      name: pin as a number
      process: {{command: [sh, -c, "echo ${{pin}}"]}}
      expect:
        equals: ${{pin}}
      tolerate_failure: true
"""


def _outputs(tmp_path: Path, done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    files = {p.name: p.read_text() for p in (tmp_path / "reports").iterdir()}
    files["journal"] = (tmp_path / "journal.jsonl").read_text()
    files["lock file"] = (tmp_path / "lock-copy.json").read_text()
    return {"stdout": done.stdout, "stderr": done.stderr, **files}


def test_no_form_of_a_secret_reaches_any_output(
    tmp_path: Path, echo: str, capture: type[_Capture]
) -> None:
    marker = tmp_path / "marker"
    exp = tmp_path / "exp.yaml"
    exp.write_text(_experiment(echo, tmp_path / "lock-copy.json", marker))
    with serving(capture) as annotations:
        env = {
            **os.environ,
            "DRILL_TOKEN": SECRET,
            "CHAOSML_LOCK_DIR": str(tmp_path / "locks"),
            "CHAOSML_HALT_FILE": str(tmp_path / "HALT"),
            "CHAOSML_PUSHGATEWAY_URL": annotations,
            "CHAOSML_GRAFANA_URL": annotations,
        }
        command = [sys.executable, "-m", "chaosml", "run", str(exp), "--debug"]
        command += ["--journal", str(tmp_path / "journal.jsonl")]
        command += ["--report-dir", str(tmp_path / "reports")]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not marker.exists()  # the fault ran and was undone
    outputs = _outputs(tmp_path, done)
    outputs["annotations"] = "\n".join(capture.seen)
    assert "drill for ***" in outputs["annotations"]  # the title reached them, masked
    assert "drill for ***" in outputs["lock file"]
    leaks = [
        f"{form} form in {where}"
        for where, text in outputs.items()
        for form, spelled in spellings(SECRET).items()
        if spelled in text
    ]
    assert leaks == [], leaks
    assert "\x1b" not in done.stdout + done.stderr


def test_the_lock_file_is_readable_by_its_owner_only(tmp_path: Path, echo: str) -> None:
    marker = tmp_path / "marker"
    exp = tmp_path / "exp.yaml"
    exp.write_text(_experiment(echo, tmp_path / "lock-copy.json", marker))
    env = {**os.environ, "DRILL_TOKEN": SECRET, "CHAOSML_LOCK_DIR": str(tmp_path / "locks")}
    env["CHAOSML_HALT_FILE"] = str(tmp_path / "HALT")
    command = [sys.executable, "-m", "chaosml", "run", str(exp)]
    command += ["--journal", str(tmp_path / "journal.jsonl")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    mode = stat.S_IMODE((tmp_path / "lock-copy.json").stat().st_mode)
    assert mode == 0o600, oct(mode)


INVALID = """
version: 1
title: invalid on purpose
secrets:
  token: ${env:DRILL_TOKEN}
  pin: 73914052
steady_state:
  - name: bad values
    http:
      url: "http://127.0.0.1:9/"
      timeout: "${token}"
      method: "${token}"
      headers: {X-Pin: "${pin}"}
    expect: {status: 200}
method:
  - wait: 1s
"""


@pytest.mark.parametrize("command", [["run", "--debug"], ["validate", "--debug"]])
def test_validation_errors_and_debug_tracebacks_quote_no_secret(
    tmp_path: Path, command: list[str]
) -> None:
    exp = tmp_path / "invalid.yaml"
    exp.write_text(INVALID)
    long_secret = SECRET + "-" + "k" * 60  # longer than the 60 characters a problem quotes
    env = {**os.environ, "DRILL_TOKEN": long_secret, "CHAOSML_LOCK_DIR": str(tmp_path / "l")}
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", *command, str(exp)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    shown = done.stdout + done.stderr
    assert done.returncode == 2, shown
    assert "http.timeout" in shown and "X-Pin" in shown
    assert "Traceback" in shown or command[0] == "validate"  # run --debug shows it
    assert [f for f, s in spellings(long_secret).items() if s in shown] == []
