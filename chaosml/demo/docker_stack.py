"""``chaosml demo --docker``: the example stack's services in Docker containers.

The feature service, the model server and the traffic generator each run in a container of a
locally made image — no registry: the base image is imported from an empty tar, and the host's
runtime (``/usr /lib /lib64 /bin /etc``, this Python and its packages) is bind-mounted
read-only; the stack's work directory is mounted read-write at the same path. The containers
share the host's network namespace (``--network host``), so every service listens on
127.0.0.1 exactly as in the process demo. The chaosml proxy, Prometheus and Alertmanager stay
local processes. Containers carry ``chaosml.demo=1`` and this demo's ``chaosml.demo.run`` id
(plus ``chaosml.test=1`` when ``CHAOSML_TEST=1``) and are removed by ``stop()``.

The drills run unchanged, except the killed-model-server drill: its ``process.kill`` becomes
``docker.kill`` on the model-server container (undo: start it again).

Docker is driven through the ``docker`` CLI (the SDK lives in chaosml.drivers.docker_driver).
"""

from __future__ import annotations

import copy
import io
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.demo.environment import FEATURES_PROXY, METRICS_PROXY, ProxyService, start_proxy
from chaosml.demo.monitoring import Monitoring, start_monitoring
from chaosml.demo.processes import http_ok
from chaosml.demo.stack import FEATURE_SERVICE, MODEL_SERVER, TRAFFIC, prepare_work_dir, service_env
from chaosml.errors import InfrastructureError
from chaosml.io.ports import free_port
from chaosml.io.procfs import start_time
from chaosml.io.subprocesses import stop_group

BASE_IMAGE = "chaosml-demo/base:latest"
DEMO_LABEL, RUN_LABEL, TARGET = "chaosml.demo", "chaosml.demo.run", "model-server"
HOST_RUNTIME = ("/usr", "/lib", "/lib64", "/bin", "/etc")
_MODULES = {
    FEATURE_SERVICE: "chaosml.demo.feature_service",
    MODEL_SERVER: "chaosml.demo.model_server",
    TRAFFIC: "chaosml.demo.traffic",
}
_PASSED_ENV = ("PYTHONPATH", "CHAOSML_DEMO_STACK", "PYTHONUNBUFFERED", "CHAOSML_TEST")


def docker_cli(*args: str, timeout: float = 60.0, stdin: bytes | None = None) -> str:
    """Run ``docker ARGS``; its stdout. InfrastructureError when Docker cannot do it."""
    if shutil.which("docker") is None:
        raise InfrastructureError("the docker CLI is not on the PATH; install Docker")
    try:
        done = subprocess.run(
            ["docker", *args], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise InfrastructureError(f"docker {args[0]} did not answer in {timeout:g}s") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise InfrastructureError(
            f"docker {' '.join(args[:2])} failed: {message}",
            hint="is the Docker engine running? (docker info)",
        )
    return done.stdout.decode(errors="replace").strip()


def ensure_base_image() -> None:
    """Import the empty base image unless it exists (nothing is pulled)."""
    if docker_cli("images", "-q", BASE_IMAGE):
        return
    empty = io.BytesIO()
    with tarfile.open(fileobj=empty, mode="w"):
        pass
    docker_cli("import", "-", BASE_IMAGE, stdin=empty.getvalue())


def host_mounts() -> list[str]:
    """Read-only mounts: the host runtime, this interpreter, its packages, chaosml's source."""
    source_root = Path(__file__).resolve().parents[2]
    runtime = [p for p in HOST_RUNTIME if os.path.isdir(p)]
    covered = {os.path.realpath(p) for p in runtime}
    wanted = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, str(source_root))}
    extra = sorted(p for p in wanted if os.path.isdir(p))
    extra = [p for p in extra if not any(_inside(p, q) for q in covered | set(extra) if q != p)]
    return [f"{p}:{p}:ro" for p in [*runtime, *extra]]


def _inside(path: str, parent: str) -> bool:
    return path.startswith(parent.rstrip(os.sep) + os.sep)


@dataclass
class Container:
    service: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class DockerStack:
    work_dir: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    containers: dict[str, Container] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.containers[service].url

    def labels(self, service: str) -> list[str]:
        pairs = {DEMO_LABEL: "1", RUN_LABEL: self.run_id, "app": service}
        pairs["chaosml.io/allow"] = "true"
        if os.environ.get("CHAOSML_TEST") == "1":
            pairs["chaosml.test"] = "1"
            # the process that owns them: a test session's reaper keeps a live owner's containers
            pairs["chaosml.test.owner"] = f"{os.getpid()}:{start_time(os.getpid())}"
        return [arg for key, value in pairs.items() for arg in ("--label", f"{key}={value}")]

    def run(self, service: str, args: list[str], within: float = 30.0) -> Container:
        """Start ``service`` in a container and wait until it answers /health."""
        port = free_port()
        container = Container(service, f"chaosml-demo-{self.run_id}-{service}", port)
        self.containers[service] = container
        docker_cli("run", "-d", "--name", container.name, *self._options(service), BASE_IMAGE,
                   sys.executable, "-m", _MODULES[service], "--port", str(port),
                   "--pid-file", str(self.work_dir / f"{service}.pid"), *args)  # fmt: skip
        self._wait_healthy(container, within)
        return container

    def _options(self, service: str) -> list[str]:
        env = service_env(self.work_dir)
        options = ["--network", "host", "--user", f"{os.getuid()}:{os.getgid()}"]
        options += self.labels(service)
        options += [arg for m in host_mounts() for arg in ("-v", m)]
        options += ["-v", f"{self.work_dir}:{self.work_dir}"]
        options += [arg for k in _PASSED_ENV if k in env for arg in ("-e", f"{k}={env[k]}")]
        return options

    def _wait_healthy(self, container: Container, within: float) -> None:
        deadline = time.monotonic() + within
        while not http_ok(container.url + "/health", timeout=0.5):
            if time.monotonic() > deadline or not self._running(container):
                logs = docker_cli("logs", "--tail", "20", container.name)
                raise InfrastructureError(f"container {container.name} not healthy:\n{logs}")
            time.sleep(0.1)

    def _running(self, container: Container) -> bool:
        state = docker_cli("inspect", "-f", "{{.State.Running}}", container.name)
        return state == "true"

    def stop(self) -> None:
        """Remove every container of this demo (found by its run label)."""
        ids = docker_cli("ps", "-aq", "--filter", f"label={RUN_LABEL}={self.run_id}").split()
        if ids:
            docker_cli("rm", "-f", *ids, timeout=120)


def start_docker_stack(work_dir: Path, proxy: ProxyService) -> DockerStack:
    stack = DockerStack(work_dir)
    try:
        prepare_work_dir(work_dir, None)
        data, version = work_dir / "features.csv", work_dir / "feature-service.version"
        features = stack.run(FEATURE_SERVICE, ["--data", str(data), "--version-file", str(version)])
        routed = "http://" + proxy.create(FEATURES_PROXY, f"127.0.0.1:{features.port}")
        model_args = ["--features", routed, "--model", str(work_dir / "model.json")]
        model = stack.run(MODEL_SERVER, model_args)
        stack.run(TRAFFIC, ["--url", model.url, "--rate", "10"])
    except BaseException:
        stack.stop()
        raise
    return stack


@dataclass
class DockerEnvironment:
    root: Path
    proxy: ProxyService
    stack: DockerStack | None = None
    metrics_address: str = ""
    monitoring: Monitoring | None = None

    def drill_variables(self) -> dict[str, str]:
        assert self.stack is not None
        out = {
            "MODEL_URL": self.stack.url(MODEL_SERVER),
            "FEATURE_URL": self.stack.url(FEATURE_SERVICE),
            "TRAFFIC_URL": self.stack.url(TRAFFIC),
            "CHAOSML_PROXY_API": self.proxy.api_url,
            "CHAOSML_DEMO_DIR": str(self.stack.work_dir),
            "MODEL_METRICS_ADDRESS": self.metrics_address,
            "CHAOSML_PYTHON": sys.executable,
        }
        if self.monitoring is not None:
            out.update(self.monitoring.drill_variables())
        return out

    def describe(self) -> list[str]:
        assert self.stack is not None
        lines = [
            f"{c.service:<16} {c.url} (container {c.name})" for c in self.stack.containers.values()
        ]
        lines.append(f"chaosml proxy    {self.proxy.api_url} (local process)")
        if self.monitoring is not None:
            lines.append(f"prometheus       {self.monitoring.prometheus_url} (local process)")
            lines.append(f"alertmanager     {self.monitoring.alertmanager_url} (local process)")
        return lines

    def adapt_drill(self, doc: Any) -> Any:
        """``process.kill`` of the model server becomes ``docker.kill`` of its container."""
        if not isinstance(doc, dict) or not _kills_a_process(doc):
            return doc
        assert self.stack is not None
        out = copy.deepcopy(doc)
        selector = {"labels": {RUN_LABEL: self.stack.run_id, "app": MODEL_SERVER}}
        out.setdefault("blast_radius", {}).setdefault("targets", {})[TARGET] = {"docker": selector}
        out["method"] = [_docker_kill(step) for step in out.get("method") or []]
        return out

    def stop(self) -> None:
        try:
            if self.monitoring is not None:
                self.monitoring.stop()
            if self.stack is not None:
                self.stack.stop()
        finally:
            stop_group(self.proxy.process)
            shutil.rmtree(self.root, ignore_errors=True)


def _kills_a_process(doc: dict[str, Any]) -> bool:
    steps = doc.get("method") or []
    return any(isinstance(s, dict) and s.get("fault") == "process.kill" for s in steps)


def _docker_kill(step: Any) -> Any:
    if not (isinstance(step, dict) and step.get("fault") == "process.kill"):
        return step
    return {"fault": "docker.kill", "target": TARGET, "signal": step.get("signal", "SIGKILL")}


def start_docker_environment(monitoring: bool) -> DockerEnvironment:
    ensure_base_image()
    root = Path(tempfile.mkdtemp(prefix="chaosml-drill-"))
    try:
        env = DockerEnvironment(root, start_proxy(root, dict(os.environ)))
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        env.stack = start_docker_stack(root / "stack", env.proxy)
        model = f"127.0.0.1:{env.stack.containers[MODEL_SERVER].port}"
        env.metrics_address = env.proxy.create(METRICS_PROXY, model)
        if monitoring:
            env.monitoring = _monitoring(env)
    except BaseException:
        env.stop()
        raise
    return env


def _monitoring(env: DockerEnvironment) -> Monitoring:
    assert env.stack is not None
    targets = {s: f"127.0.0.1:{c.port}" for s, c in env.stack.containers.items()}
    targets[MODEL_SERVER] = env.metrics_address
    return start_monitoring(targets, env.root / "monitoring")
