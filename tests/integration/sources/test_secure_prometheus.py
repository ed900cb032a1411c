"""Prometheus and Alertmanager behind TLS and basic auth (their own ``--web.config.file``): the
probes, guards, observe and ``expect_alert`` work with the right credentials; wrong or missing
ones end 5 naming 401; a wrong CA ends 5 naming the verification failure; the password appears
nowhere (issue 24)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.secure_sources import PASSWORD, USER, SecureMonitoring
from tests.integration.prometheus.runner import (
    REPO_ROOT,
    RunResult,
    kill_and_expect,
    run_chaosml,
    write_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def drill(secure: SecureMonitoring, ca: Path, auth: str, fault: bool = True) -> str:
    """Kill the victim; SecureVictimDown must fire in Prometheus, show in Alertmanager and
    resolve — every monitoring source declared once under ``sources:``."""
    method = kill_and_expect(secure.victim, "SecureVictimDown", "{prometheus: prom}")
    method += """
  - expect_alert:
      name: SecureVictimDown
      source: {alertmanager: am}
      fires_within: 20s"""
    return f"""
version: 1
title: Killing the victim fires SecureVictimDown behind TLS and basic auth
blast_radius: {{environments: [test], max_duration: 5m}}
secrets:
  pw: ${{env:PROM_PASSWORD}}
sources:
  prom:
    url: "{secure.prometheus_url}"
    {auth}
    tls: {{ca_file: "{ca}"}}
  am:
    url: "{secure.alertmanager_url}"
    {auth}
    tls: {{ca_file: "{ca}"}}
steady_state:
  - name: victim scraped
    prometheus: {{url: prom, query: 'up{{job="victim"}}'}}
    expect: {{equals: 1}}
  - name: Prometheus's own exposition, scraped through TLS and auth
    metrics: {{url: prom, path_prefix: /metrics, name: prometheus_ready}}
    expect: {{equals: 1}}
guards:
  - name: Prometheus answers
    every: 1s
    prometheus: {{url: prom, query: 'vector(1)'}}
    expect: {{equals: 1}}
observe:
  every: 1s
  metrics:
    - name: victim up
      prometheus: {{url: prom, query: 'up{{job="victim"}}'}}
method:{method if fault else chr(10) + "  - wait: 1s"}
recovery:
  within: 30s
  every: 1s
  alerts_resolve:
    - name: SecureVictimDown
      source: {{prometheus: prom}}
"""


BASIC = "auth: {basic: {username: " + USER + ', password: "${pw}"}}'


def run(
    secure: SecureMonitoring,
    tmp_path: Path,
    text: str,
    password: str = PASSWORD,
    debug: bool = False,
) -> RunResult:
    experiment = write_experiment(tmp_path, text)
    args = ("--debug",) if debug else ()
    return run_chaosml(experiment, tmp_path, args=args, extra_env={"PROM_PASSWORD": password})


def render_reports(journal: Path, folder: Path) -> tuple[str, list[Path]]:
    """``chaosml report --debug`` in every format: (what it printed, the report files)."""
    reports = {fmt: folder / f"report.{fmt}" for fmt in ("html", "junit", "markdown")}
    argv = [sys.executable, "-m", "chaosml", "report", str(journal), "--debug"]
    for fmt, path in reports.items():
        argv += [f"--{fmt}", str(path)]
    shown = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout + shown.stderr, list(reports.values())


def assert_nowhere(tmp_path: Path, result: RunResult, secret: str) -> None:
    """Not on the console, not in the journal, not in any report format."""
    assert secret not in result.output
    journals = list(tmp_path.glob("journal-*.jsonl"))
    assert journals
    for journal in journals:
        assert secret not in journal.read_text()
        printed, reports = render_reports(journal, tmp_path)
        assert secret not in printed
        assert all(secret not in path.read_text() for path in reports)


def test_right_credentials_run_the_whole_drill_and_the_password_is_shown_nowhere(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    secure_prom.victim.ensure_running()
    result = run(secure_prom, tmp_path, drill(secure_prom, secure_prom.pki.ca, BASIC), debug=True)
    assert result.exit_code == 0, result.output
    fired = result.of("alert.fired")
    assert [e["source"] for e in fired] == ["prometheus", "alertmanager"]
    assert 0 < fired[0]["time_to_detect_s"] < 5.0
    assert result.one("alert.resolved")["name"] == "SecureVictimDown"
    steady = {e["name"]: e["ok"] for e in result.of("probe.result")}
    assert (
        steady["victim scraped"]
        and steady["Prometheus's own exposition, scraped through TLS and auth"]
    )
    samples = result.of("observe.sample")
    assert samples and all(e.get("error") is None for e in samples), samples
    assert 1.0 in [e["value"] for e in samples]  # read through TLS and auth
    offsets = result.of("clock.offset")
    assert offsets and all(e["error"] is None for e in offsets), offsets
    assert secure_prom.victim.alive()
    assert_nowhere(tmp_path, result, PASSWORD)


def test_a_wrong_password_ends_5_naming_401_and_is_shown_nowhere(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    wrong = "not-the-Pa55word-at-all"
    text = drill(secure_prom, secure_prom.pki.ca, BASIC, fault=False)
    result = run(secure_prom, tmp_path, text, password=wrong, debug=True)
    assert result.exit_code == 5, result.output
    assert f"Prometheus at {secure_prom.prometheus_url} refused the credentials (401)" in (
        result.output
    )
    assert_nowhere(tmp_path, result, wrong)


def test_missing_credentials_end_5_naming_401(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    text = drill(secure_prom, secure_prom.pki.ca, "headers: {}", fault=False)
    result = run(secure_prom, tmp_path, text)
    assert result.exit_code == 5, result.output
    assert "refused the credentials (401)" in result.output


def test_a_guard_refused_its_credentials_ends_5_naming_401(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    text = f"""
version: 1
title: a guard with a wrong password
blast_radius: {{environments: [test]}}
guards:
  - name: Prometheus answers
    every: 1s
    prometheus:
      url: "{secure_prom.prometheus_url}"
      auth: {{basic: {{username: {USER}, password: wrong-one}}}}
      tls: {{ca_file: "{secure_prom.pki.ca}"}}
      query: vector(1)
    expect: {{equals: 1}}
method:
  - wait: 3s
"""
    result = run(secure_prom, tmp_path, text)
    assert result.exit_code == 5, result.output
    assert "refused the credentials (401)" in result.output
    assert "wrong-one" not in result.output


def test_a_wrong_ca_ends_5_naming_the_verification_failure_and_the_ca(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    text = drill(secure_prom, secure_prom.pki.wrong_ca, BASIC, fault=False)
    result = run(secure_prom, tmp_path, text)
    assert result.exit_code == 5, result.output
    assert "certificate verify failed" in result.output
    assert str(secure_prom.pki.wrong_ca) in result.output
    assert "Traceback" not in result.output


def test_insecure_skip_verify_runs_and_warns_in_the_run_and_every_report(
    secure_prom: SecureMonitoring, tmp_path: Path
) -> None:
    text = f"""
version: 1
title: no certificate check
blast_radius: {{environments: [test]}}
steady_state:
  - name: Prometheus answers
    prometheus:
      url: "{secure_prom.prometheus_url}"
      auth: {{basic: {{username: {USER}, password: "{PASSWORD}"}}}}
      tls: {{insecure_skip_verify: true}}
      query: vector(1)
    expect: {{equals: 1}}
method:
  - wait: 100ms
"""
    result = run(secure_prom, tmp_path, text)
    assert result.exit_code == 0, result.output
    warning = f"TLS certificate verification is OFF for the monitoring source at {secure_prom.prometheus_url}"
    assert "⚠ WARNING: " + warning in result.stdout
    assert "InsecureRequestWarning" not in result.output  # said once, by chaosml
    [journal] = tmp_path.glob("journal-*.jsonl")
    for path in render_reports(journal, tmp_path)[1]:
        assert "TLS certificate verification is OFF" in path.read_text(), path
    assert PASSWORD not in journal.read_text()
