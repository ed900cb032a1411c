"""Issue 19, "Must show": with real Prometheus and Alertmanager, a drill verifies the page —
routed to the expected webhook receiver (time to notify), routed elsewhere, silenced,
inhibited, still grouped — and says why in one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from chaosml.io import http_client
from tests.integration.notify.conftest import NotifyEnv
from tests.integration.prometheus.runner import (
    REPO_ROOT,
    RunResult,
    flow,
    run_chaosml,
    wait_until,
    write_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def _ready(env: NotifyEnv, alert: str) -> None:
    """The scenario's exporter is up, scraped, and its alert inactive in Prometheus."""
    exporter = env.exporters[alert]
    exporter.ensure_running()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        url = env.prometheus_url + "/api/v1/alerts"
        alerts = http_client.request("GET", url, timeout=5.0).json()["data"]["alerts"]
        if not any(a["labels"]["alertname"] == alert for a in alerts):
            up = http_client.request(
                "GET", f"{env.prometheus_url}/api/v1/query?query=up{{job=%22{exporter.job}%22}}"
            ).json()["data"]["result"]
            if up and up[0]["value"][1] == "1":
                return
        time.sleep(0.1)
    pytest.fail(f"{alert}: exporter not up or alert still active after 20s")


def _drill(
    tmp_path: Path,
    env: NotifyEnv,
    alert: str,
    receiver: str,
    within: str,
    *,
    listen: bool = True,
) -> RunResult:
    _ready(env, alert)
    exporter = env.exporters[alert]
    sink = f'\n      listen: "127.0.0.1:{env.sink_port}"' if listen else ""
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: Killing {exporter.job} pages {receiver}
blast_radius: {{environments: [test], max_duration: 2m}}
method:
  - fault: process.kill
    pid_file: "{exporter.pid_file}"
    signal: SIGKILL
    restart: {flow(exporter.argv())}
    restart_cwd: "{REPO_ROOT}"
  - expect_alert:
      name: {alert}
      source: {{prometheus: "{env.prometheus_url}"}}
      fires_within: 20s
  - expect_notification:
      alert: {alert}
      receiver: {receiver}
      source: {{alertmanager: "{env.alertmanager_url}"}}{sink}
      within: {within}
      labels: {{severity: page}}
      annotations: [runbook_url, summary]
""",
    )
    try:
        return run_chaosml(experiment, tmp_path)
    finally:
        exporter.ensure_running()


def _why_not(
    tmp_path: Path, env: NotifyEnv, alert: str, receiver: str, within: str
) -> tuple[RunResult, str]:
    """A drill that must end 1: its result and the one-line reason it gives."""
    result = _drill(tmp_path, env, alert, receiver, within)
    assert result.exit_code == 1, result.output
    return result, str(result.one("notification.result")["reason"])


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_routed_to_the_expected_webhook_receiver_passes_with_a_time_to_notify(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    result = _drill(tmp_path, notify_env, "PageMl", "ml-oncall", "15s")
    assert result.exit_code == 0, result.output
    verdict = result.one("notification.result")
    fired = result.one("alert.fired")
    assert verdict["notified"] is True and verdict["delivery_observed"] is True
    print(f"time to detect {fired['time_to_detect_s']}s, notify {verdict['time_to_notify_s']}s")
    assert fired["time_to_detect_s"] < verdict["time_to_notify_s"] < 6.0
    assert verdict["time_to_detect_s"] == fired["time_to_detect_s"]
    received = [e for e in result.of("notification.received") if e["receiver"] == "ml-oncall"]
    assert received and received[0]["path"] == "/ml-oncall"
    [alert] = [a for a in received[0]["alerts"] if a["labels"]["alertname"] == "PageMl"]
    assert alert["annotations"]["runbook_url"] == "https://runbooks/x"
    [entry] = result.one("run.end")["summary"]["notifications"]
    assert entry["time_to_notify_s"] == verdict["time_to_notify_s"]
    assert "notified ml-oncall in" in result.output
    stopped = result.one("notify.sink_stopped")
    assert stopped["seq"] < result.one("run.end")["seq"]
    assert _refused(notify_env.sink_port)


def test_expecting_a_receiver_the_route_does_not_reach_ends_1_naming_where_it_went(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    result, reason = _why_not(tmp_path, notify_env, "PageData", "ml-oncall", "4s")
    assert "routed to receiver data-oncall via route.routes[2]" in reason, reason
    assert "routed to receiver data-oncall" in result.output


def test_a_silenced_alert_ends_1_naming_the_silence_and_its_creator(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    silence = notify_env.silence("PageSilenced", "alice@example.org", "db migration")
    try:
        _, reason = _why_not(tmp_path, notify_env, "PageSilenced", "ml-oncall", "4s")
    finally:
        notify_env.expire(silence)
    assert f"silenced by silence {silence} created by alice@example.org" in reason, reason
    assert '"db migration"' in reason


def test_an_inhibited_alert_ends_1_naming_the_inhibitor(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    _, reason = _why_not(tmp_path, notify_env, "PageInhibited", "ml-oncall", "4s")
    assert "inhibited by Maintenance {team='ml'}" in reason, reason


def test_group_wait_30s_with_within_10s_ends_1_saying_still_grouped(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    _, reason = _why_not(tmp_path, notify_env, "PageSlow", "slow-oncall", "10s")
    assert "still grouped: routed to slow-oncall by route.routes[3]" in reason, reason
    assert "group_wait 30s" in reason


def test_alertmanager_view_proves_the_routing_and_says_delivery_was_not_observed(
    notify_env: NotifyEnv, tmp_path: Path
) -> None:
    result = _drill(tmp_path, notify_env, "PageMl", "ml-oncall", "15s", listen=False)
    assert result.exit_code == 0, result.output
    verdict = result.one("notification.result")
    assert verdict["delivery_observed"] is False
    assert verdict["delivery"] == "not observed: Alertmanager's routing only"
    assert verdict["time_to_notify_s"] >= verdict["time_to_detect_s"]
    assert result.of("notify.sink_started") == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_sink_with_the_run(
    notify_env: NotifyEnv, tmp_path: Path, sig: signal.Signals
) -> None:
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: waiting for a page that never comes
blast_radius: {{environments: [test]}}
method:
  - expect_notification:
      alert: NeverFires
      receiver: ml-oncall
      source: {{alertmanager: "{notify_env.alertmanager_url}"}}
      listen: "127.0.0.1:{notify_env.sink_port}"
      within: 2m
""",
    )

    def interrupt(proc: subprocess.Popen[str]) -> bool:
        def listening() -> bool:
            journals = list(tmp_path.glob("journal-*.jsonl"))
            return bool(journals) and "notify.sink_started" in journals[0].read_text()

        wait_until(listening, 30, "the sink to start")
        was_listening = not _refused(notify_env.sink_port)
        proc.send_signal(sig)
        return was_listening

    result = run_chaosml(experiment, tmp_path, during=interrupt)
    assert result.watched == [True]
    assert result.exit_code == 130, result.output
    kinds = [e["event"] for e in result.events]
    assert kinds.index("notify.sink_stopped") < kinds.index("run.end")
    assert _refused(notify_env.sink_port)


@pytest.mark.parametrize("sink", [False, True], ids=["view", "sink"])
def test_an_alert_active_before_the_run_proves_nothing(
    notify_env: NotifyEnv, tmp_path: Path, sink: bool
) -> None:
    listen = f'\n      listen: "127.0.0.1:{notify_env.sink_port}"' if sink else ""
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: Maintenance has been routed all along
blast_radius: {{environments: [test]}}
method:
  - expect_notification:
      alert: Maintenance
      receiver: discard
      source: {{alertmanager: "{notify_env.alertmanager_url}"}}{listen}
      within: 2s
""",
    )
    result = run_chaosml(experiment, tmp_path)
    assert result.exit_code == 1, result.output
    reason = result.one("notification.result")["reason"]
    assert "the alert was already active in Alertmanager" in reason, reason
    assert "s before the fault, so its notification proves nothing" in reason
