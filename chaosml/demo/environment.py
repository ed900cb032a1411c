"""A complete drill environment: the stack, a chaosml proxy on its two paths, Prometheus.

    env = start_environment()        # monitoring=False when the binaries are missing
    subprocess.run(["chaosml", "run", exp, "--env", "dev"], env={**os.environ, **env.variables()})
    env.stop()

The proxy (``python -m chaosml.proxy``, its own process) carries two proxies, both
``protocol: http``: ``features`` between the model server and the feature service (for
``proxy.*`` and proxy-mode ``feed.corrupt``) and ``model-metrics`` between Prometheus and the
model server (for ``telemetry.stop`` mode ``blackhole``). ``variables()`` are the environment
variables the drills in ``docs/`` and ``experiments/`` read.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from chaosml.demo.monitoring import Monitoring, start_monitoring
from chaosml.demo.processes import StackError, wait_healthy
from chaosml.demo.stack import FEATURE_SERVICE, MODEL_SERVER, Stack, start_stack
from chaosml.io.ports import free_port
from chaosml.io.subprocesses import start_logged, stop_group

FEATURES_PROXY, METRICS_PROXY = "features", "model-metrics"


@dataclass
class ProxyService:
    process: subprocess.Popen[bytes]
    api_url: str

    def create(self, name: str, upstream: str) -> str:
        """Create an http proxy to ``upstream`` (host:port) on a free port; its host:port."""
        body = {"name": name, "listen": "127.0.0.1:0", "upstream": upstream, "protocol": "http"}
        req = urllib.request.Request(
            f"{self.api_url}/proxies",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return str(json.loads(resp.read())["listen"])
        except (OSError, ValueError, KeyError) as exc:
            raise StackError(f"cannot create proxy {name} at {self.api_url}: {exc}") from exc


def start_proxy(work_dir: Path, env: dict[str, str], within: float = 20.0) -> ProxyService:
    api = f"127.0.0.1:{free_port()}"
    log = work_dir / "proxy.log"
    proc = start_logged([sys.executable, "-m", "chaosml.proxy", "--api", api], log, env)
    try:
        wait_healthy(f"http://{api}/proxies", proc, log, within)
    except BaseException:
        stop_group(proc)
        raise
    return ProxyService(proc, f"http://{api}")


@dataclass
class DrillEnvironment:
    root: Path  # holds the stack's work dir, the proxy's log and the monitoring data
    stack: Stack
    proxy: ProxyService
    metrics_address: str  # host:port of the model server through the metrics proxy
    monitoring: Monitoring | None = None

    def variables(self) -> dict[str, str]:
        """Environment variables for experiments run against this environment."""
        stack = self.stack
        out = {
            "MODEL_URL": stack.model_url,
            "FEATURE_URL": stack.feature_url,
            "CHAOSML_PROXY_API": self.proxy.api_url,
            "CHAOSML_DEMO_DIR": str(stack.work_dir),
            "MODEL_SERVER_PID_FILE": str(stack.services[MODEL_SERVER].pid_file),
            "MODEL_SERVER_RESTART": shlex.join(stack.command(MODEL_SERVER)),
            "FEATURE_SERVICE_PID_FILE": str(stack.services[FEATURE_SERVICE].pid_file),
            "FEATURE_SERVICE_RESTART": shlex.join(stack.command(FEATURE_SERVICE)),
            "CHAOSML_PYTHON": sys.executable,
        }
        if self.monitoring is not None:
            out.update(self.monitoring.drill_variables())
        return out

    def pids(self) -> dict[str, int]:
        """Every process of the environment by role (services, proxy, monitoring daemons)."""
        pids = {name: pid for name in self.stack.services if (pid := self.stack.pid(name))}
        pids["proxy"] = self.proxy.process.pid
        if self.monitoring is not None:
            pids.update(self.monitoring.pids())
        return pids

    def stop(self) -> None:
        """Stop monitoring, stack and proxy; remove every file the environment made."""
        if self.monitoring is not None:
            self.monitoring.stop()
        self.stack.stop()
        stop_group(self.proxy.process)
        shutil.rmtree(self.root, ignore_errors=True)


def start_environment(
    *, monitoring: bool = True, rate: float = 10.0, extra_env: dict[str, str] | None = None
) -> DrillEnvironment:
    """Start proxy, stack (model → features through the proxy) and, if asked, monitoring."""
    root = Path(tempfile.mkdtemp(prefix="chaosml-drill-"))
    try:
        proxy = start_proxy(root, {**os.environ, **(extra_env or {})})
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    stack: Stack | None = None
    try:
        stack = start_stack(
            root / "stack",
            rate=rate,
            extra_env=extra_env,
            route_features=lambda url: "http://" + proxy.create(FEATURES_PROXY, _address(url)),
        )
        metrics = proxy.create(METRICS_PROXY, _address(stack.model_url))
        env = DrillEnvironment(root, stack, proxy, metrics)
        if monitoring:
            env.monitoring = _monitoring(env, extra_env)
        return env
    except BaseException:
        if stack is not None:
            stack.stop()
        stop_group(proxy.process)
        shutil.rmtree(root, ignore_errors=True)
        raise


def _address(url: str) -> str:
    return url.removeprefix("http://").rstrip("/")


def _monitoring(env: DrillEnvironment, extra_env: dict[str, str] | None) -> Monitoring:
    targets = {**env.stack.scrape_targets(), MODEL_SERVER: env.metrics_address}
    return start_monitoring(targets, env.root / "monitoring", extra_env=extra_env)
