"""Prometheus and Alertmanager for the demo stack: local processes with generated configs.

    mon = start_monitoring(stack.scrape_targets(), work_dir)   # needs the binaries on the PATH
    mon.prometheus_url, mon.alertmanager_url
    mon.stop()

Prometheus scrapes every target each second and evaluates ``rules/ml-stack.rules.yml`` each
second; Alertmanager gets the alerts. Both listen on free loopback ports with their data in
``work_dir``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from chaosml.demo.processes import (
    StackError,
    free_port,
    get_json,
    spawn,
    stop_process,
    wait_healthy,
)

RULES_DIR = Path(__file__).parent / "rules"
RULES_FILE = RULES_DIR / "ml-stack.rules.yml"
ALERTMANAGER_CONFIG = RULES_DIR / "alertmanager.yml"
PROMETHEUS_BINARIES = ("prometheus",)
ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")


def find_binary(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def binaries_available() -> bool:
    """Whether both Prometheus and Alertmanager are on the PATH."""
    return bool(find_binary(PROMETHEUS_BINARIES) and find_binary(ALERTMANAGER_BINARIES))


def prometheus_config(targets: dict[str, str], alertmanager: str, rules: Path) -> str:
    """A Prometheus config (JSON is YAML): one job per target, 1s scrape and evaluation."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(rules)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [address]}]}
            for job, address in targets.items()
        ],
    }
    return json.dumps(config, indent=2)


@dataclass
class Monitoring:
    prometheus_url: str
    alertmanager_url: str
    work_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def stop(self) -> None:
        for proc in reversed(self.processes):
            stop_process(proc)

    def wait_ready(self, within: float = 30.0) -> None:
        """Wait until every target is scraped and no alert is pending or firing.

        Prometheus applies its first scrape targets up to ~5s after it starts; until then
        ``TelemetryAbsent`` rightly fires. A drill should begin after this returns.
        """
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self._all_up() and not self.active_alerts():
                return
            time.sleep(0.2)
        raise StackError(
            f"Prometheus at {self.prometheus_url} not ready within {within:g}s: "
            f"targets up={self._all_up()}, alerts={self.active_alerts()}"
        )

    def _all_up(self) -> bool:
        targets = get_json(f"{self.prometheus_url}/api/v1/targets")["data"]["activeTargets"]
        return bool(targets) and all(t["health"] == "up" for t in targets)

    def active_alerts(self) -> list[str]:
        """Names of the alerts pending or firing in Prometheus."""
        alerts = get_json(f"{self.prometheus_url}/api/v1/alerts")["data"]["alerts"]
        return sorted({a["labels"]["alertname"] for a in alerts})


def _require(names: tuple[str, ...]) -> str:
    found = find_binary(names)
    if not found:
        raise StackError(f"{' or '.join(names)} is not on the PATH")
    return found


def start_alertmanager(mon: Monitoring, within: float) -> str:
    port, data = free_port(), mon.work_dir / "alertmanager-data"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        _require(ALERTMANAGER_BINARIES),
        f"--config.file={ALERTMANAGER_CONFIG}",
        f"--storage.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    _start(mon, argv, f"http://127.0.0.1:{port}", "alertmanager", within)
    return f"127.0.0.1:{port}"


def start_prometheus(mon: Monitoring, config: str, within: float) -> str:
    port, data = free_port(), mon.work_dir / "prometheus-data"
    data.mkdir(parents=True, exist_ok=True)
    config_file = mon.work_dir / "prometheus.yml"
    config_file.write_text(config, encoding="utf-8")
    argv = [
        _require(PROMETHEUS_BINARIES),
        f"--config.file={config_file}",
        f"--storage.tsdb.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    _start(mon, argv, f"http://127.0.0.1:{port}", "prometheus", within)
    return f"http://127.0.0.1:{port}"


def _start(mon: Monitoring, argv: list[str], url: str, name: str, within: float) -> None:
    log = mon.work_dir / f"{name}.log"
    proc = spawn(argv, log, mon.env)
    mon.processes.append(proc)
    wait_healthy(f"{url}/-/ready", proc, log, within)


def start_monitoring(
    targets: dict[str, str],
    work_dir: Path,
    *,
    rules: Path = RULES_FILE,
    within: float = 30.0,
    extra_env: dict[str, str] | None = None,
) -> Monitoring:
    """Start Alertmanager, then Prometheus scraping ``targets`` (job -> host:port)."""
    mon = Monitoring("", "", work_dir, env={**os.environ, **(extra_env or {})})
    try:
        alertmanager = start_alertmanager(mon, within)
        mon.alertmanager_url = f"http://{alertmanager}"
        mon.prometheus_url = start_prometheus(
            mon, prometheus_config(targets, alertmanager, rules), within
        )
    except BaseException:
        mon.stop()
        raise
    return mon
