"""A monitoring stack whose Alertmanager routes per team to webhook receivers pointing at one
loopback port, where the tests' runs start chaosml's webhook sink (issue 19).

Each scenario has its own exporter (job) and alert, so that one test's alert never sits in
another test's Alertmanager group:

- ``PageMl`` (team ml) → route ``team="ml"`` → ``ml-oncall`` (group_wait 500ms);
- ``PageData`` (team data) → ``data-oncall``;
- ``PageSilenced`` (team ml) → ``ml-oncall``; the test silences it;
- ``PageInhibited`` (team ml) → ``ml-oncall``; inhibited by ``Maintenance`` (always firing);
- ``PageSlow`` (team slow) → ``slow-oncall`` with ``group_wait: 30s``.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chaosml.io import http_client
from chaosml.io.ports import free_port
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob
from tests.fixtures.prom_env import TEST_ENV, Exporter

SCENARIOS = {"PageMl": "ml", "PageData": "data", "PageSilenced": "ml", "PageInhibited": "ml"}
SCENARIOS["PageSlow"] = "slow"
RECEIVERS = ("ml-oncall", "data-oncall", "slow-oncall")


def _rules() -> dict[str, Any]:
    rules: list[dict[str, Any]] = [
        {
            "alert": name,
            "expr": f'up{{job="{name.lower()}"}} == 0',
            "for": "0s",
            "labels": {"team": team, "severity": "page"},
            "annotations": {"summary": f"{name} down", "runbook_url": "https://runbooks/x"},
        }
        for name, team in SCENARIOS.items()
    ]
    rules.append({"alert": "Maintenance", "expr": "vector(1)", "labels": {"team": "ml"}})
    return {"groups": [{"name": "notify-tests", "rules": rules}]}


def _alertmanager(sink_port: int) -> dict[str, Any]:
    fast = {"group_wait": "500ms", "group_interval": "1s", "repeat_interval": "1h"}
    return {
        "route": {
            "receiver": "discard",
            "group_by": ["alertname"],
            **fast,
            "routes": [
                {"matchers": ['alertname="Maintenance"'], "receiver": "discard"},
                {"matchers": ['team="ml"'], "receiver": "ml-oncall"},
                {"match": {"team": "data"}, "receiver": "data-oncall"},
                {"match_re": {"team": "slo.*"}, "receiver": "slow-oncall", "group_wait": "30s"},
            ],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['alertname="Maintenance"'],
                "target_matchers": ['alertname="PageInhibited"'],
                "equal": ["team"],
            }
        ],
        "receivers": [
            {"name": "discard"},
            *(
                {
                    "name": name,
                    "webhook_configs": [
                        {"url": f"http://127.0.0.1:{sink_port}/{name}", "send_resolved": False}
                    ],
                }
                for name in RECEIVERS
            ),
        ],
    }


@dataclass
class NotifyEnv:
    stack: MonitoringStack
    exporters: dict[str, Exporter]
    sink_port: int

    @property
    def alertmanager_url(self) -> str:
        return self.stack.alertmanager_url

    @property
    def prometheus_url(self) -> str:
        return self.stack.prometheus_url

    def silence(self, alert: str, created_by: str, comment: str) -> str:
        body = {
            "matchers": [{"name": "alertname", "value": alert, "isRegex": False}],
            "startsAt": "2000-01-01T00:00:00Z",
            "endsAt": "2999-01-01T00:00:00Z",
            "createdBy": created_by,
            "comment": comment,
        }
        url = self.alertmanager_url + "/api/v2/silences"
        resp = http_client.request("POST", url, json=body, timeout=5.0)
        assert resp.status == 200, resp.text
        return str(resp.json()["silenceID"])

    def expire(self, silence_id: str) -> None:
        url = f"{self.alertmanager_url}/api/v2/silence/{silence_id}"
        http_client.request("DELETE", url, timeout=5.0)


@pytest.fixture(scope="module")
def notify_env(prom_binaries: None) -> Iterator[NotifyEnv]:
    scratch = Path(tempfile.mkdtemp(prefix="chaosml-notify-test-"))
    exporters = {
        name: Exporter(name.lower(), free_port(), scratch / f"{name}.pid") for name in SCENARIOS
    }
    sink_port = free_port()
    stack = MonitoringStack(
        jobs=[ScrapeJob(e.job, [f"127.0.0.1:{e.port}"]) for e in exporters.values()],
        rules=_rules(),
        alertmanager_config=_alertmanager(sink_port),
        with_pushgateway=False,
        extra_env=TEST_ENV,
    )
    try:
        for exporter in exporters.values():
            exporter.start()
        stack.start()
        yield NotifyEnv(stack, exporters, sink_port)
    finally:
        stack.stop()
        for exporter in exporters.values():
            exporter.kill()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
