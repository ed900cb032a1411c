"""What `chaosml demo` prints and leaves: the verdict table and the journals, pages and reports
(shared by the fresh-install and the in-containers demo tests, which run on different workers)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from chaosml.demo.drill import DRILL_FILES
from tests.fixtures.demo_env import DemoRun

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


def assert_outputs(demo_run: DemoRun, output: str) -> None:
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


def run_demo(command: list[str], cwd: Path, demo_run: DemoRun) -> tuple[int, str, str]:
    """``command`` (a ``chaosml demo``) run to its end: exit code, stdout, stdout + stderr."""
    done = subprocess.run(
        command, cwd=cwd, env=demo_run.env(), capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout, done.stdout + done.stderr
