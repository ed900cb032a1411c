"""Global stop conditions (issue 22) on a real Alertmanager: a ``severity=page`` alert that has
nothing to do with the drill aborts a game day mid-experiment and skips the rest; the drill's
own expected alert does not stop it (docs/safety.md)."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import yaml

from tests.fixtures.prom_env import MonitoringEnv
from tests.integration.core.interrupts import events
from tests.integration.halt.accounts import (
    PAUSE_EXPERIMENT,
    Account,
    becomes_stopped,
    process_state,
    seconds_to_exit,
    victim,
)
from tests.integration.halt.alertmanager_alerts import firing, post_alert, post_command

STOP_WITHIN_S = 2.0


def _account(tmp_path: Path, alertmanager: str, token: str) -> Account:
    account = Account(tmp_path / "sre", {"CHAOSML_SYSTEM_HALT_DIR": str(tmp_path / "machine")})
    (account.home / "chaosml.toml").write_text(
        f"""
[[stop_conditions]]
name = "production pages"
alertmanager = "{alertmanager}"
matchers = {{ severity = "page", drill_test = "{token}" }}
"""
    )
    return account


def _plan(account: Account, experiments: list[str]) -> Path:
    entries = []
    for index, text in enumerate(experiments):
        path = account.home / f"exp{index}.yaml"
        path.write_text(text)
        entries.append({"path": str(path)})
    plan = {"version": 1, "title": "stop condition drill", "pause": "100ms"}
    plan["experiments"] = entries
    path = account.home / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    return path


def _first_fault(journals: Path, drill: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for journal in journals.glob("gameday-*/*.jsonl"):
            if any(e["event"] == "fault.applied" for e in events(journal)):
                return
        time.sleep(0.05)
    raise AssertionError("no fault applied in time")


def test_a_page_unrelated_to_the_drill_aborts_the_game_day(
    tmp_path: Path, prom_monitoring: MonitoringEnv
) -> None:
    am, token = prom_monitoring.alertmanager_url, secrets.token_hex(4)
    account = _account(tmp_path, am, token)
    page = {"alertname": "CheckoutErrorsHigh", "severity": "page", "drill_test": token}
    journals = account.home / "journals"
    with victim() as pid:
        pause = PAUSE_EXPERIMENT.format(name="first", pid=pid)
        plan = _plan(account, [pause, PAUSE_EXPERIMENT.format(name="second", pid=pid)])
        drill = account.spawn("gameday", str(plan), "--journal-dir", str(journals))
        try:
            _first_fault(journals, drill)
            assert becomes_stopped(pid)
            with firing(am, page):
                fired = time.monotonic()
                took = seconds_to_exit(drill, fired)
            out, err = drill.communicate()
        finally:
            if drill.poll() is None:
                drill.kill()
                drill.communicate()
        assert process_state(pid) != "T"  # the first experiment's fault was undone
    assert drill.returncode == 4, out + err
    assert took < STOP_WITHIN_S, f"the drill stopped {took:.2f}s after the page fired"
    print(f"stop condition: the game day ended {took:.2f}s after the page was posted")
    assert "stop condition 'production pages'" in out and "CheckoutErrorsHigh" in out
    assert "skipped" in out
    ran = list(journals.glob("gameday-*/*.jsonl"))
    assert len(ran) == 1  # the second experiment never started
    found = events(ran[0])
    stop = [e for e in found if e["event"] == "run.stop"]
    assert stop and stop[0]["by"] == "stop-condition:production pages"
    active = [e for e in found if e["event"] == "halt.active"]
    assert active and active[0]["scope"] == "stop-condition"


OWN_ALERT_EXPERIMENT = """
version: 1
title: the drill's own page
method:
  - fault: process.run
    name: page on purpose
    command: {fire}
    undo: {resolve}
  - expect_alert:
      name: DrillPage
      labels: {{drill_test: "{token}"}}
      source: {{alertmanager: "{am}"}}
      fires_within: 10s
  - wait: 2s
"""


def test_the_drills_own_expected_alert_does_not_stop_it(
    tmp_path: Path, prom_monitoring: MonitoringEnv
) -> None:
    am, token = prom_monitoring.alertmanager_url, secrets.token_hex(4)
    account = _account(tmp_path, am, token)
    labels = json.dumps({"alertname": "DrillPage", "severity": "page", "drill_test": token})
    exp = account.home / "own.yaml"
    exp.write_text(
        OWN_ALERT_EXPERIMENT.format(
            fire=json.dumps(post_command(am, labels, 10, delay=1.0)),
            resolve=json.dumps(post_command(am, labels, 0)),
            token=token,
            am=am,
        )
    )
    try:
        done = account.chaosml("run", str(exp), "--journal-dir", str(account.home / "j"))
    finally:
        post_alert(am, json.loads(labels), minutes=0)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alert DrillPage: fired" in done.stdout
