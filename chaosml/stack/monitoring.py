"""A throwaway monitoring stack: Prometheus, Alertmanager and Pushgateway on loopback.

Used by the test fixtures and by ``chaosml demo``. Each binary runs as a subprocess in its own
process group, on a free 127.0.0.1 port, with its data in a temporary directory; Prometheus
scrapes and evaluates every ``interval_ms`` (1 s by default), sends alerts to the Alertmanager
and scrapes the Pushgateway. ``start()`` waits until each answers ``/-/ready``; ``stop()``
kills the process groups and removes the directory. Use it as a context manager::

    with MonitoringStack(jobs=[ScrapeJob("model", ["127.0.0.1:8000"])], rules=RULES) as stack:
        print(stack.prometheus_url)

Configuration files are written as JSON, which Prometheus and Alertmanager read as YAML.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.io import http_client
from chaosml.io.ports import free_port
from chaosml.io.subprocesses import start_logged, stop_group

BINARIES = {  # Debian's name first, upstream's second
    "prometheus": ("prometheus",),
    "alertmanager": ("prometheus-alertmanager", "alertmanager"),
    "pushgateway": ("prometheus-pushgateway", "pushgateway"),
}
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
INSTALL_HINT = "install them with scripts/ci/monitoring-install.sh (Debian packages)"


@dataclass(frozen=True)
class ScrapeJob:
    """A Prometheus scrape job: a name and ``host:port`` targets."""

    name: str
    targets: Sequence[str]
    metrics_path: str = "/metrics"
    honor_labels: bool = False

    def to_config(self) -> dict[str, Any]:
        return {
            "job_name": self.name,
            "metrics_path": self.metrics_path,
            "honor_labels": self.honor_labels,
            "static_configs": [{"targets": list(self.targets)}],
        }


def binary(daemon: str) -> str | None:
    """The path of a daemon's binary on PATH (under either of its names), or None."""
    return next((found for name in BINARIES[daemon] if (found := shutil.which(name))), None)


def missing_binaries(daemons: Sequence[str] = tuple(BINARIES)) -> list[str]:
    """Those of ``daemons`` whose binary is not on PATH (by Debian's name)."""
    return [BINARIES[d][0] for d in daemons if binary(d) is None]


@dataclass
class _Daemon:
    """One running binary: its process (own process group), port and log file."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, argv: list[str], extra_env: dict[str, str]) -> None:
        self.process = start_logged(argv, self.log, {**os.environ, **extra_env})

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise self.failed(f"exited with code {self.process.returncode}")
            if self._ready():
                return
            time.sleep(0.05)
        raise self.failed(f"not ready after {READY_TIMEOUT_S:g}s")

    def _ready(self) -> bool:
        try:
            return http_client.request("GET", self.url + "/-/ready", timeout=1.0).status == 200
        except ChaosMLError:
            return False

    def failed(self, what: str) -> InfrastructureError:
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        return InfrastructureError(f"{self.name} on {self.url} {what}; its log ends:\n{tail}")

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, STOP_TIMEOUT_S)


@dataclass
class MonitoringStack:
    """Prometheus (+ Alertmanager, + Pushgateway) for one test session or demo."""

    jobs: Sequence[ScrapeJob] = ()
    rules: dict[str, Any] | str | None = None  # rule groups: a dict, or YAML text
    interval_ms: int = 1000
    with_alertmanager: bool = True
    with_pushgateway: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. {"CHAOSML_TEST": "1"}
    alertmanager_config: dict[str, Any] | str | None = None  # default: route everything nowhere
    base_dir: Path | None = None  # keep config, data and logs here (the caller removes it)
    _daemons: dict[str, _Daemon] = field(default_factory=dict, init=False, repr=False)
    _workdir: Path | None = field(default=None, init=False, repr=False)

    @property
    def workdir(self) -> Path:
        """The temporary directory holding configuration, data and logs (set by ``start``)."""
        if self._workdir is None:
            raise InfrastructureError("the monitoring stack has not been started")
        return self._workdir

    @property
    def prometheus_url(self) -> str:
        return self._daemons["prometheus"].url

    @property
    def alertmanager_url(self) -> str:
        return self._daemons["alertmanager"].url

    @property
    def pushgateway_url(self) -> str:
        return self._daemons["pushgateway"].url

    def pids(self) -> dict[str, int]:
        """The running daemons' process ids, by daemon name."""
        return {n: d.process.pid for n, d in self._daemons.items() if d.process is not None}

    def start(self) -> MonitoringStack:
        """Start every daemon and wait until each is ready; on failure stop what started."""
        missing = missing_binaries(self._wanted())
        if missing:
            raise InfrastructureError(f"missing binaries: {', '.join(missing)}", hint=INSTALL_HINT)
        if self.base_dir is not None:
            self.base_dir.mkdir(parents=True, exist_ok=True)
        self._workdir = self.base_dir or Path(tempfile.mkdtemp(prefix="chaosml-mon-"))
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_all(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        if self.with_alertmanager:
            self._launch("alertmanager", self._alertmanager_argv)
        if self.with_pushgateway:
            self._launch("pushgateway", self._pushgateway_argv)
        self._daemons["prometheus"] = _Daemon(
            "prometheus", free_port(), self.workdir / "prometheus.log"
        )
        self.write_config()
        self._daemons["prometheus"].start(
            self._prometheus_argv(self._daemons["prometheus"]), self.extra_env
        )
        for daemon in self._daemons.values():
            daemon.wait_ready(deadline)
        self.wait_for_targets(deadline)

    def wait_for_targets(self, deadline: float) -> None:
        """Wait until Prometheus has tried every configured target once (``up`` exists).

        Prometheus applies new targets at most every 5 s, so this takes about 5 s.
        """
        expected = sum(len(job.targets) for job in self._all_jobs())
        while time.monotonic() < deadline:
            if self._scraped_targets() >= expected:
                return
            time.sleep(0.1)
        raise self._daemons["prometheus"].failed(f"did not scrape its {expected} targets")

    def _scraped_targets(self) -> int:
        url = self.prometheus_url + "/api/v1/targets?state=active"
        payload = http_client.request("GET", url, timeout=2.0).json() or {}
        targets = payload.get("data", {}).get("activeTargets", [])
        return sum(1 for target in targets if target.get("health") != "unknown")

    def _wanted(self) -> list[str]:
        optional = {"alertmanager": self.with_alertmanager, "pushgateway": self.with_pushgateway}
        return ["prometheus", *(name for name, on in optional.items() if on)]

    def _launch(self, name: str, argv_for: Callable[[_Daemon], list[str]]) -> None:
        daemon = _Daemon(name, free_port(), self.workdir / f"{name}.log")
        self._daemons[name] = daemon
        daemon.start(argv_for(daemon), self.extra_env)

    def stop(self) -> None:
        """Stop every daemon (SIGTERM, then SIGKILL) and remove the working directory."""
        for daemon in reversed(list(self._daemons.values())):
            daemon.stop()
        if self._workdir is not None and self.base_dir is None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> MonitoringStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def write_config(self) -> None:
        """Write prometheus.yml and rules.yml into the working directory."""
        rules = self.rules if self.rules is not None else {"groups": []}
        text = rules if isinstance(rules, str) else json.dumps(rules, indent=1)
        (self.workdir / "rules.yml").write_text(text)
        (self.workdir / "prometheus.yml").write_text(
            json.dumps(self._prometheus_config(), indent=1)
        )

    def _prometheus_config(self) -> dict[str, Any]:
        every = f"{self.interval_ms}ms"
        config: dict[str, Any] = {
            "global": {
                "scrape_interval": every,
                "evaluation_interval": every,
                "scrape_timeout": every,
            },
            "rule_files": [str(self.workdir / "rules.yml")],
            "scrape_configs": [job.to_config() for job in self._all_jobs()],
        }
        if "alertmanager" in self._daemons:
            target = f"127.0.0.1:{self._daemons['alertmanager'].port}"
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [target]}]}]}
        return config

    def _all_jobs(self) -> list[ScrapeJob]:
        jobs = list(self.jobs)
        if "pushgateway" in self._daemons:
            target = f"127.0.0.1:{self._daemons['pushgateway'].port}"
            jobs.append(ScrapeJob("pushgateway", [target], honor_labels=True))
        return jobs

    def _prometheus_argv(self, daemon: _Daemon) -> list[str]:
        data = self.workdir / "prometheus-data"
        return [
            binary("prometheus") or BINARIES["prometheus"][0],
            f"--config.file={self.workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{daemon.port}",
            f"--rules.alert.resend-delay={self.interval_ms}ms",
            "--log.level=warn",
        ]

    def _alertmanager_argv(self, daemon: _Daemon) -> list[str]:
        config = self.workdir / "alertmanager.yml"
        given = self.alertmanager_config or _ALERTMANAGER_CONFIG
        config.write_text(given if isinstance(given, str) else json.dumps(given, indent=1))
        return [
            binary("alertmanager") or BINARIES["alertmanager"][0],
            f"--config.file={config}",
            f"--storage.path={self.workdir / 'alertmanager-data'}",
            f"--web.listen-address=127.0.0.1:{daemon.port}",
            "--cluster.listen-address=",  # else it binds 0.0.0.0:9094 for clustering
            "--log.level=warn",
        ]

    def _pushgateway_argv(self, daemon: _Daemon) -> list[str]:
        return [
            binary("pushgateway") or BINARIES["pushgateway"][0],
            f"--web.listen-address=127.0.0.1:{daemon.port}",
            "--log.level=warn",
        ]


_ALERTMANAGER_CONFIG: dict[str, Any] = {
    "route": {
        "receiver": "discard",
        "group_wait": "1s",
        "group_interval": "1s",
        "repeat_interval": "1h",
    },
    "receivers": [{"name": "discard"}],
}
