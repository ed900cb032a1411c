"""``chaosml routes`` against a real Alertmanager's live configuration (issue 19)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chaosml.io.ports import free_port
from tests.integration.notify.conftest import NotifyEnv
from tests.integration.prometheus.runner import REPO_ROOT

pytestmark = [pytest.mark.prometheus]


def _routes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", "routes", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_routes_names_the_receiver_and_timings_from_the_live_config(
    notify_env: NotifyEnv,
) -> None:
    done = _routes(
        "--alertmanager",
        notify_env.alertmanager_url,
        "--alert",
        "PageSlow",
        "--labels",
        "team=slow",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "PageSlow {team='slow'} reaches 1 receiver(s):"
    assert lines[1].startswith("  - receiver slow-oncall via route.routes[3]")
    assert "group_wait 30s, group_interval 1s, repeat_interval 1h" in lines[1]


def test_routes_without_a_matching_child_names_the_root_receiver(notify_env: NotifyEnv) -> None:
    done = _routes("--alertmanager", notify_env.alertmanager_url, "--alert", "Other")
    assert done.returncode == 0, done.stderr
    assert "receiver discard via route (matching everything" in done.stdout


def test_an_unreachable_alertmanager_exits_5_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = _routes("--alertmanager", url, "--alert", "X")
    assert done.returncode == 5
    assert f"cannot reach {url}/api/v2/status" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_flags_exit_2() -> None:
    done = _routes("--alertmanager", "localhost:9093", "--alert", "X", "--labels", "team")
    assert done.returncode == 2
    assert "--alertmanager: expected an http(s) URL" in done.stderr
