"""Time to detect of a rule with ``for:``, read from Prometheus: Prometheus's ``activeAt`` is
when the alert turned *pending*; it fires ``for:`` later, and that is what ``state: firing``
measures (``alert.fired.fired_at``). Found by the history's regression test (a rule slowed to
``for: 30s`` measured 1.9 s from Prometheus)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.fixtures.prom_env import HELD, Exporter, MonitoringEnv
from tests.integration.prometheus.runner import run_chaosml

pytestmark = [pytest.mark.prometheus]


def _post(url: str) -> list[str]:
    code = f"import urllib.request as u; u.urlopen(u.Request({url!r}, method='POST'), timeout=5)"
    return [sys.executable, "-c", code]


def test_state_firing_measures_until_the_rule_fired_not_until_it_was_pending(
    prom_monitoring: MonitoringEnv, prom_gauge: Exporter, tmp_path: Path
) -> None:
    prom = prom_monitoring.prometheus_url
    experiment = tmp_path / "held.yaml"
    raise_it, lower_it = (f"{prom_gauge.url}/set?name={HELD}&value={v}" for v in (25, 0))
    experiment.write_text(
        f"""version: 1
title: a rule with for 3s fires 3 s after it turned pending
method:
  - fault: process.run
    command: {_post(raise_it)!r}
    undo: {_post(lower_it)!r}
  - expect_alert:
      name: HeldHigh
      source: {{prometheus: "{prom}"}}
      fires_within: 30s
"""
    )
    result = run_chaosml(experiment, tmp_path)
    assert result.exit_code == 0, result.output
    fired = result.one("alert.fired")
    assert fired["fired_at"] - fired["active_at"] == pytest.approx(3.0, abs=1e-6)  # for: 3s
    print(f"time to detect {fired['time_to_detect_s']}s (pending after ", end="")
    print(f"{fired['active_at'] - result.one('fault.applied')['wall']:.2f}s)")
    assert 3.0 <= fired["time_to_detect_s"] < 3.0 + 3.0  # for + scrape 1 s + evaluation 1 s
