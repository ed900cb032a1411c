"""``chaosml demo`` as a newcomer runs it: from a clean checkout installed into a fresh
virtualenv, with the real Prometheus and Alertmanager. It must pass every drill, print each
alert's time to detect, and leave no process, temporary file or checkout change behind.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from chaosml.demo.drill import DRILL_FILES
from chaosml.demo.monitoring import binaries_available
from tests.fixtures.demo_env import DemoRun, FreshInstall, docker_available
from tests.fixtures.services import require

pytestmark = [pytest.mark.prometheus, pytest.mark.slow, pytest.mark.timeout(600)]

EXPECTED_ALERTS = {
    "feature-latency": ["HighP99Latency"],
    "feed-nan": ["NaNFeatures", "InvalidFeatureRateHigh"],
    "model-server-killed": ["ModelServerDown"],
    "telemetry-silenced": ["TelemetryAbsent"],
}
ROW = re.compile(
    r"^\s+(?P<drill>[\w-]+)\s+(?P<verdict>[\w-]+)\s+(?P<exit>\d+)\s+(?P<alert>\w+)\s+(?P<time>\S+)$"
)
MORE = re.compile(r"^\s+(?P<alert>[A-Z]\w+)\s+(?P<time>\S+)$")


def verdict_rows(output: str) -> dict[str, list[tuple[str, str, str]]]:
    """drill -> [(verdict, alert, time to detect)] from the table after 'chaosml demo: verdicts'."""
    table = output.split("chaosml demo: verdicts", 1)[1].split("Journals and reports", 1)[0]
    rows: dict[str, list[tuple[str, str, str]]] = {}
    drill = verdict = ""
    for line in table.splitlines():
        if (m := ROW.match(line)) and m["drill"] != "drill":
            drill, verdict = m["drill"], m["verdict"]
            rows[drill] = [(verdict, m["alert"], m["time"])]
        elif (m := MORE.match(line)) and drill:
            rows[drill].append((verdict, m["alert"], m["time"]))
    return rows


def test_demo_from_a_fresh_install_passes_and_leaves_nothing_behind(
    fresh_install: FreshInstall, demo_run: DemoRun
) -> None:
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    status_before = fresh_install.git_status()
    done = subprocess.run(
        [str(fresh_install.chaosml), "demo"],
        cwd=fresh_install.checkout,
        env=demo_run.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    rows = verdict_rows(done.stdout)
    assert list(rows) == [name.removesuffix(".yaml") for name in DRILL_FILES], output
    for drill, alerts in EXPECTED_ALERTS.items():
        assert [alert for _, alert, _ in rows[drill]] == alerts, output
        for verdict, alert, detected in rows[drill]:
            assert verdict == "completed", output
            seconds = float(detected.removesuffix("s"))
            assert 0 < seconds < 60, f"{alert}: {detected}"
    _assert_outputs(demo_run, output)
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []
    assert fresh_install.git_status() == status_before


def _assert_outputs(demo_run: DemoRun, output: str) -> None:
    journals = sorted((demo_run.out / "journals").glob("*.jsonl"))
    assert len(journals) == len(DRILL_FILES), output
    paged = []
    for journal in journals:
        events = [json.loads(line) for line in journal.read_text().splitlines()]
        assert events[-1]["event"] == "run.end" and events[-1]["status"] == "completed"
        assert events[0]["environment"] == "dev"
        notified = [e for e in events if e["event"] == "notification.result"]
        assert all(e["notified"] and e["time_to_notify_s"] > 0 for e in notified), notified
        paged += [e["alert"] for e in notified if e["delivery_observed"]]
    # issue 19: the pages reached the serving team's webhook (chaosml's sink), not only fired
    assert sorted(paged) == ["HighP99Latency", "ModelServerDown", "TelemetryAbsent"], output
    reports = {p.suffix for p in (demo_run.out / "report").iterdir()}
    assert {".html", ".md"} <= reports
    assert str(demo_run.out) in output


@pytest.mark.docker
def test_demo_in_containers_passes_and_removes_its_containers(demo_run: DemoRun) -> None:
    require(docker_available(), "the Docker engine")
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "demo", "--docker"],
        cwd=demo_run.root,
        env=demo_run.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"model-server .* \(container chaosml-demo-\w+-model-server\)", output)
    assert "docker.kill" in output  # the killed-server drill hit the container
    rows = verdict_rows(done.stdout)
    assert all(v == "completed" for runs in rows.values() for v, _, _ in runs), output
    assert [a for _, a, _ in rows["model-server-killed"]] == ["ModelServerDown"]
    assert demo_run.leftover_containers() == []
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []
