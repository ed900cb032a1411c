"""Prometheus and Alertmanager for the demo stack, with the stack's own rules and receivers.

    mon = start_monitoring(stack.scrape_targets(), work_dir)   # ready and quiet; needs the binaries
    mon.prometheus_url, mon.alertmanager_url
    mon.stop()

A thin layer over ``chaosml.stack.monitoring.MonitoringStack`` (the one launcher): it adds the
example stack's rule and Alertmanager files, and ``wait_ready()`` — every target up and no
alert pending or firing — which a drill needs before its steady state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from chaosml.demo.processes import StackError, get_json
from chaosml.errors import InfrastructureError
from chaosml.io.ports import free_port
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob, missing_binaries

RULES_DIR = Path(__file__).parent / "rules"
RULES_FILE = RULES_DIR / "ml-stack.rules.yml"
ALERTMANAGER_CONFIG = RULES_DIR / "alertmanager.yml"
DAEMONS = ("prometheus", "alertmanager")
SINK_DEFAULT = "127.0.0.1:9097"  # alertmanager.yml's webhook address; the demo picks a free port


def binaries_available() -> bool:
    """Whether both Prometheus and Alertmanager are on the PATH."""
    return not missing_binaries(DAEMONS)


@dataclass
class Monitoring:
    stack: MonitoringStack
    notify_listen: str = ""  # host:port the webhook receivers post to (a drill's sink)

    @property
    def prometheus_url(self) -> str:
        return self.stack.prometheus_url

    @property
    def alertmanager_url(self) -> str:
        return self.stack.alertmanager_url

    def drill_variables(self) -> dict[str, str]:
        """What the drills read of the monitoring (``NOTIFY_LISTEN``: issue 19)."""
        return {
            "PROMETHEUS_URL": self.prometheus_url,
            "ALERTMANAGER_URL": self.alertmanager_url,
            "NOTIFY_LISTEN": self.notify_listen,
        }

    def stop(self) -> None:
        self.stack.stop()

    def pids(self) -> dict[str, int]:
        return self.stack.pids()

    def wait_ready(self, within: float = 30.0, quiet_for: float = 3.0) -> None:
        """Wait until every target is scraped and no alert has been pending or firing for
        ``quiet_for`` seconds without a break (a fault undone a moment ago can still raise an
        alert at the next evaluation; recovery.hold is the same idea).

        Prometheus applies its first scrape targets up to ~5s after it starts; until then
        ``TelemetryAbsent`` rightly fires. A drill should begin after this returns.
        """
        deadline = time.monotonic() + within
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            if not (self._all_up() and not self.active_alerts()):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            if quiet_since is not None and time.monotonic() - quiet_since >= quiet_for:
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


def start_monitoring(
    targets: dict[str, str],
    work_dir: Path,
    *,
    rules: Path = RULES_FILE,
    extra_env: dict[str, str] | None = None,
    ready_within: float = 30.0,
) -> Monitoring:
    """Start Alertmanager, then Prometheus scraping ``targets`` (job -> host:port); return once
    it is ready and quiet (``wait_ready``). On any failure, what started is stopped."""
    notify_listen = f"127.0.0.1:{free_port()}"
    alertmanager = ALERTMANAGER_CONFIG.read_text(encoding="utf-8")
    stack = MonitoringStack(
        jobs=[ScrapeJob(job, [address]) for job, address in targets.items()],
        rules=rules.read_text(encoding="utf-8"),
        with_pushgateway=False,
        extra_env=dict(extra_env or {}),
        alertmanager_config=alertmanager.replace(SINK_DEFAULT, notify_listen),
        base_dir=work_dir,
    )
    try:
        stack.start()
    except InfrastructureError as exc:
        raise StackError(exc.message) from exc
    monitoring = Monitoring(stack, notify_listen)
    try:
        monitoring.wait_ready(ready_within)
    except BaseException:
        monitoring.stop()
        raise
    return monitoring
