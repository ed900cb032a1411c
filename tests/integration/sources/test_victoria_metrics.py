"""The same alert drill against VictoriaMetrics + vmalert, directly and through vmauth with a
bearer token; time to detect from vmalert's own activeAt (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.drivers.alert_states import parse_rfc3339
from tests.fixtures.secure_sources import TOKEN, Victoria
from tests.integration.prometheus.runner import (
    ActiveAtWatcher,
    RunResult,
    kill_and_expect,
    run_chaosml,
    write_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def vm_drill(victoria: Victoria, query_source: str, alert_source: str, extra: str = "") -> str:
    return f"""
version: 1
title: Killing the victim fires VmVictimDown in vmalert
blast_radius: {{environments: [test], max_duration: 5m}}
secrets:
  token: ${{env:VM_TOKEN}}
sources:
  vm: "{victoria.vm_url}"
  vmalert: "{victoria.vmalert_url}"
  vmauth:
    url: "{victoria.vmauth_url}"
    auth: {{bearer: "${{token}}"}}{extra}
steady_state:
  - name: victim scraped by VictoriaMetrics
    prometheus: {{url: {query_source}, query: 'up{{job="vmvictim"}}'}}
    expect: {{equals: 1}}
method:{kill_and_expect(victoria.victim, "VmVictimDown", "{prometheus: " + alert_source + "}")}
recovery:
  within: 30s
  every: 1s
  alerts_resolve: [VmVictimDown]
"""


def run_drill(victoria: Victoria, tmp_path: Path, text: str, token: str = TOKEN) -> RunResult:
    victoria.victim.ensure_running()
    experiment = write_experiment(tmp_path, text)
    with ActiveAtWatcher(victoria.vmalert_url, "VmVictimDown") as watcher:
        result = run_chaosml(experiment, tmp_path, extra_env={"VM_TOKEN": token})
    result.watched = sorted(watcher.seen)
    return result


def assert_detected_from_vmalerts_active_at(result: RunResult) -> None:
    assert result.exit_code == 0, result.output
    fired = result.one("alert.fired")
    assert len(result.watched) == 1, result.watched  # vmalert's activeAt, read by the test
    reference = parse_rfc3339(str(result.watched[0]))
    assert fired["source_active_at"] == pytest.approx(reference, abs=1e-6)
    applied = result.one("fault.applied")["wall"]
    offset = fired["clock_offset_s"] or 0.0
    assert fired["time_to_detect_s"] == pytest.approx(reference - offset - applied, abs=0.1)
    assert 0 < fired["time_to_detect_s"] < 5.0
    assert fired["proven"] is True
    assert result.one("alert.resolved")["name"] == "VmVictimDown"


def test_drill_passes_against_victoria_metrics_and_vmalert_directly(
    victoria: Victoria, tmp_path: Path
) -> None:
    result = run_drill(victoria, tmp_path, vm_drill(victoria, "vm", "vmalert"))
    assert_detected_from_vmalerts_active_at(result)
    steady = result.of("probe.result")[0]
    assert steady["name"] == "victim scraped by VictoriaMetrics" and steady["ok"]


def test_drill_passes_through_vmauth_with_a_bearer_token(
    victoria: Victoria, tmp_path: Path
) -> None:
    result = run_drill(victoria, tmp_path, vm_drill(victoria, "vmauth", "vmauth"))
    assert_detected_from_vmalerts_active_at(result)
    # vmauth routes /api/v1/query to VictoriaMetrics: its clock is measured (time() is a vector)
    assert result.one("alert.fired")["clock_offset_s"] is not None, result.of("clock.offset")
    assert TOKEN not in result.output
    assert all(TOKEN not in p.read_text() for p in tmp_path.glob("journal-*.jsonl"))


def test_vmauth_refusing_an_unknown_token_ends_5_naming_the_refusal(
    victoria: Victoria, tmp_path: Path
) -> None:
    """vmauth 1.79 answers an unknown token with 400 "cannot find the provided auth token"."""
    result = run_drill(
        victoria, tmp_path, vm_drill(victoria, "vmauth", "vmauth"), token="not-the-token"
    )
    assert result.exit_code == 5, result.output
    assert f"Prometheus at {victoria.vmauth_url} refused the credentials (400)" in result.output
    assert "not-the-token" not in result.output
    assert not result.of("fault.applied")  # nothing was injected


def test_vmauth_without_a_token_ends_5_naming_401(victoria: Victoria, tmp_path: Path) -> None:
    unauthenticated = vm_drill(victoria, f'"{victoria.vmauth_url}"', f'"{victoria.vmauth_url}"')
    result = run_drill(victoria, tmp_path, unauthenticated)
    assert result.exit_code == 5, result.output
    assert f"Prometheus at {victoria.vmauth_url} refused the credentials (401)" in result.output
    assert not result.of("fault.applied")
