"""Game-day drills end to end: ``chaosml gameday`` as a subprocess against a real Prometheus and
Pushgateway, process-only faults (no Docker), reports checked as a user would see them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures.reporting_env import Service, screenshot
from tests.fixtures.safety_env import SAFETY_ENV

DATA = Path(__file__).parent / "data"
EXPECTATION_PHASES = {"steady-state-before", "method", "recovery"}


def chaosml(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "chaosml", *args]
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_chaosml(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "chaosml", *args]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An isolated environment: own halt file and lock dir, nothing from the caller's drills."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAOSML_")}
    env.update({k: os.environ[k] for k in SAFETY_ENV if k in os.environ})  # never the real halt
    env.update(CHAOSML_HALT_FILE=str(tmp_path / "HALT"), CHAOSML_LOCK_DIR=str(tmp_path / "locks"))
    env.update(extra)
    return env


def entry(name: str, tmp_path: Path, **variables: str) -> dict[str, Any]:
    state = tmp_path / f"{name}.state"
    state.write_text("1\n")
    base = {"python": sys.executable, "data": str(DATA), "state": str(state)}
    return {"path": str(DATA / f"{name}.yaml"), "vars": {**base, **variables}}


def write_plan(tmp_path: Path, entries: list[dict[str, Any]], **keys: Any) -> Path:
    plan = {
        "version": 1,
        "title": "Reporting test drill",
        "environments": ["test"],
        "deadline": "5m",
        "pause": "200ms",
        "experiments": entries,
        **keys,
    }
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    return path


def journal_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def expectation_names(journal: Path) -> list[str]:
    return [
        e["name"]
        for e in journal_events(journal)
        if e["event"] == "probe.result" and e["phase"] in EXPECTATION_PHASES
    ]


def pushgateway_series(url: str, metric: str) -> list[str]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return [line for line in text.splitlines() if line.startswith(metric + "{")]


@pytest.mark.slow
def test_drill_of_three_summary_exit_code_junit_and_html(
    tmp_path: Path, prometheus: Service, pushgateway: Service, chromium: str
) -> None:
    plan = write_plan(
        tmp_path,
        [
            entry("passes", tmp_path, pushgateway=pushgateway.url, prometheus=prometheus.url),
            entry("deviates", tmp_path),
            {"path": str(DATA / "refused.yaml")},
        ],
    )
    reports = tmp_path / "reports"
    done = chaosml(
        "gameday", str(plan), "--env", "test",
        "--journal-dir", str(tmp_path / "journals"), "--report-dir", str(reports),
        env=environ(tmp_path),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # most severe of 0, 1, 2 is 1

    summary = done.stdout[done.stdout.index("Game day: Reporting test drill") :]
    lines = summary.splitlines()
    assert any(" completed " in line and "A broken dependency fires" in line for line in lines), (
        summary
    )
    assert any(" deviated " in line and "Corrupt features" in line for line in lines), summary
    assert any(" refused " in line and "Take down production" in line for line in lines), summary
    assert "environment 'test' is not allowed" in summary
    assert "M1 proved" in summary and "M2 failed" in summary
    assert "\nDrill result: exit 1 (deviated)\n" in summary
    assert "time to detect: DependencyBroken " in summary  # each experiment's detection

    journals = sorted((tmp_path / "journals").glob("gameday-*/*.jsonl"))
    assert [j.name for j in journals] == [
        "01-passes.jsonl",
        "02-deviates.jsonl",
        "03-refused.jsonl",
    ]
    check_junit(next(reports.glob("*.junit.xml")), journals)
    check_html(next(reports.glob("*.html")), chromium, tmp_path)
    check_report_command(journals, tmp_path)


def check_junit(path: Path, journals: list[Path]) -> None:
    suites = ET.parse(path).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "A broken dependency fires DependencyBroken",
        "Corrupt features are served without complaint",
        "Take down production serving",
    ]
    passed, deviated, refused = suites
    # one case per expectation the journal records (the expected alert's "inactive before the
    # method" precondition among them), none failing for the passing run
    assert len(passed.findall("testcase")) == len(expectation_names(journals[0])) == 5
    assert passed.find("testcase/failure") is None and passed.find("testcase/error") is None
    names = [c.get("name") for c in passed.findall("testcase")]
    assert "alert DependencyBroken fires" in names and "alert DependencyBroken resolves" in names
    # the failure sits exactly on the probe that failed
    assert len(deviated.findall("testcase")) == len(expectation_names(journals[1]))
    failed = [c.get("name") for c in deviated.findall("testcase") if c.find("failure") is not None]
    assert failed == ["features still clean"]
    assert "7 is not below 2" in (deviated.find("testcase/failure").get("message") or "")  # type: ignore[union-attr]
    # the refusal is one error, nothing else ran
    (case,) = refused.findall("testcase")
    error = case.find("error")
    assert error is not None and (error.get("message") or "").startswith("refused:")


def check_html(page: Path, chromium: str, tmp_path: Path) -> None:
    text = page.read_text()
    top = text.split("<h2>")[0]  # the headline: the plan's title, duration and exit code
    assert "<h1>Reporting test drill</h1>" in top and "exit 1 · deviated" in top
    assert re.search(r"3 experiment\(s\) in \d", top), top
    assert text.count('class="fault-window"') >= 2
    assert 'class="alert-fired"' in text and 'class="alert-resolved"' in text
    assert "time to detect" in text and "(1/7 proved)" in text
    png = tmp_path / "report.png"
    shot = screenshot(chromium, page, png, tmp_path / "chromium-profile")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.is_file() and png.stat().st_size > 50_000  # a rendered page, not a blank one
    keep = os.environ.get("CHAOSML_KEEP_SCREENSHOT")
    if keep:
        png.replace(keep)


def check_report_command(journals: list[Path], tmp_path: Path) -> None:
    markdown = tmp_path / "again.md"
    done = chaosml(
        "report", *map(str, journals), "--markdown", str(markdown), env=environ(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    text = markdown.read_text()
    assert "### chaosml: 1/3 experiments held" in text
    assert "DependencyBroken:" in text and "failed: **features still clean**" in text


def test_two_drills_on_the_same_targets_exactly_one_proceeds(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [entry("hold", tmp_path, hold="3s")])
    env = environ(tmp_path)
    args = ("gameday", str(plan), "--env", "test", "--journal-dir", str(tmp_path / "journals"))
    drills = [start_chaosml(*args, env=env) for _ in range(2)]
    try:
        results = [(d.wait(timeout=60), *d.communicate()) for d in drills]
    finally:
        for d in drills:
            d.kill()
            d.wait()
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    _, _, err = next(r for r in results if r[0] == 2)
    assert "TargetLockedError: targets are locked by run gameday-" in err
    assert "'Reporting test drill', pid" in err
    assert (
        len(list((tmp_path / "journals").glob("gameday-*/*.jsonl"))) == 1
    )  # the loser ran nothing
    assert list((tmp_path / "locks").glob("*.json")) == []  # released at the end


def test_pushgateway_series_exists_exactly_while_the_fault_is_active(
    tmp_path: Path, pushgateway: Service
) -> None:
    plan = write_plan(tmp_path, [entry("annotated", tmp_path, pushgateway=pushgateway.url)])
    env = environ(tmp_path, CHAOSML_PUSHGATEWAY_URL=pushgateway.url)
    journals = tmp_path / "journals"
    done = chaosml("gameday", str(plan), "--env", "test", "--journal-dir", str(journals), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    (journal,) = journals.glob("gameday-*/*.jsonl")
    seen = [e for e in journal_events(journal) if e.get("name") == "fault annotation visible"]
    assert seen and seen[0]["ok"] and seen[0]["value"]["value"] == 1  # read during the fault
    assert pushgateway_series(pushgateway.url, "chaosml_fault_active") == []  # gone after undo


def test_pushgateway_labels(tmp_path: Path, pushgateway: Service) -> None:
    from chaosml.journal.parse import parse_event
    from chaosml.reporting.pushgateway import PushgatewayObserver

    pushgateway_observer = PushgatewayObserver(pushgateway.url)

    def observer(raw: dict[str, Any]) -> None:
        pushgateway_observer(parse_event(raw))

    observer({"event": "run.start", "run_id": "r1", "title": 'Kill "the" model'})
    applied = {"event": "fault.applied", "run_id": "r1", "undo_id": "u1", "fault": "docker.kill"}
    observer({**applied, "target": "model"})
    (series,) = pushgateway_series(pushgateway.url, "chaosml_fault_active")
    assert 'experiment="Kill \\"the\\" model"' in series and 'fault="docker.kill"' in series
    assert 'target="model"' in series and 'run_id="r1"' in series and series.endswith(" 1")
    observer({"event": "fault.reverted", "run_id": "r1", "undo_id": "u1", "ok": False})
    assert len(pushgateway_series(pushgateway.url, "chaosml_fault_active")) == 1  # may be in place
    observer({"event": "fault.reverted", "run_id": "r1", "undo_id": "u1", "ok": True})
    # the Pushgateway applies a DELETE from its write queue (202 Accepted): poll, bounded
    deadline = time.monotonic() + 5
    while pushgateway_series(pushgateway.url, "chaosml_fault_active"):
        assert time.monotonic() < deadline, "the series outlived its DELETE"
        time.sleep(0.05)


def test_unreachable_pushgateway_never_breaks_the_run(tmp_path: Path) -> None:
    from tests.fixtures.reporting_env import free_port

    plan = write_plan(tmp_path, [entry("hold", tmp_path, hold="0s")])
    env = environ(tmp_path, CHAOSML_PUSHGATEWAY_URL=f"http://127.0.0.1:{free_port()}")
    done = chaosml(
        "gameday", str(plan), "--env", "test", "--journal-dir", str(tmp_path / "j"), env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr


def wait_for_fault(journals: Path, drill: subprocess.Popen[str], timeout: float = 30) -> None:
    """Poll until the drill's first journal records an applied fault."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert drill.poll() is None, "the drill ended before its fault was applied"
        for journal in journals.glob("gameday-*/*.jsonl"):
            if '"event": "fault.applied"' in journal.read_text():
                return
        time.sleep(0.05)
    raise AssertionError("no fault applied in time")


def two_holds(tmp_path: Path) -> Path:
    first, second = entry("hold", tmp_path, hold="20s"), entry("hold", tmp_path, hold="0s")
    second["vars"]["state"] = str(tmp_path / "second.state")
    return write_plan(tmp_path, [first, second])


def test_halt_switch_aborts_the_running_experiment_and_the_rest_of_the_drill(
    tmp_path: Path,
) -> None:
    env, journals = environ(tmp_path), tmp_path / "journals"
    args = ("gameday", str(two_holds(tmp_path)), "--env", "test", "--journal-dir", str(journals))
    drill = start_chaosml(*args, env=env)
    try:
        wait_for_fault(journals, drill)
        assert chaosml("halt", env=env).returncode == 0
        out, err = drill.communicate(timeout=30)
    finally:
        drill.kill()
        drill.wait()
    assert drill.returncode == 4, out + err
    assert "aborted" in out and "skipped" in out and "Drill result: exit 4 (aborted)" in out
    assert (tmp_path / "hold.state").read_text().strip() == "1"  # rolled back
    assert len(list(journals.glob("gameday-*/*.jsonl"))) == 1  # the second never ran
    refused = chaosml(*args, env=env)  # while the halt is on, no drill starts
    assert refused.returncode == 2 and "halt" in refused.stderr


def test_sigterm_rolls_back_and_ends_the_drill(tmp_path: Path) -> None:
    env, journals = environ(tmp_path), tmp_path / "journals"
    args = ("gameday", str(two_holds(tmp_path)), "--env", "test", "--journal-dir", str(journals))
    drill = start_chaosml(*args, env=env)
    try:
        wait_for_fault(journals, drill)
        drill.send_signal(signal.SIGTERM)
        out, err = drill.communicate(timeout=30)
    finally:
        drill.kill()
        drill.wait()
    assert drill.returncode == 130, out + err
    assert (tmp_path / "hold.state").read_text().strip() == "1"  # rolled back
    assert len(list(journals.glob("gameday-*/*.jsonl"))) == 1
    assert list((tmp_path / "locks").glob("*.json")) == []  # the lock was released
