"""Start the demo ML stack as local processes: feature service, model server, traffic generator.

    stack = start_stack()            # free loopback ports, a fresh work directory
    stack.model_url, stack.pid("model-server"), stack.command("model-server")
    stack.stop()                     # stops all three (also restarted ones), removes the work dir

``python -m chaosml.demo.stack`` runs it in the foreground and prints the URLs as JSON.

The work directory holds what drills act on: ``features.csv`` (the feature service's data file,
for file-mode ``feed.corrupt``), ``model.json`` (trained at start, for the model-age drill),
``feature-service.version`` (the version the feature service reports), ``<service>.pid`` pid
files and ``<service>.log`` logs. Each service runs in its own process group.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.demo import model as artifact
from chaosml.demo.bad_models import write_bad_models
from chaosml.demo.feature_service import DEFAULT_VERSION
from chaosml.demo.processes import StackError, stop_matching, stop_pid_file
from chaosml.demo.processes import wait_healthy as _wait_healthy
from chaosml.demo.train import train
from chaosml.io.ports import free_port
from chaosml.io.subprocesses import start_logged, stop_group

SHIPPED_FEATURES = Path(__file__).parent / "data" / "features.csv"
FEATURE_SERVICE, MODEL_SERVER, TRAFFIC = "feature-service", "model-server", "traffic"
SERVICES = (FEATURE_SERVICE, MODEL_SERVER, TRAFFIC)
_MODULES = {
    FEATURE_SERVICE: "chaosml.demo.feature_service",
    MODEL_SERVER: "chaosml.demo.model_server",
    TRAFFIC: "chaosml.demo.traffic",
}
STACK_ENV = "CHAOSML_DEMO_STACK"  # set in every service's environment: the work dir

__all__ = ["SERVICES", "Stack", "StackError", "start_stack"]


@dataclass
class Service:
    name: str
    port: int
    argv: list[str]
    pid_file: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    work_dir: Path
    services: dict[str, Service] = field(default_factory=dict)
    model_feature_url: str = ""  # what the model server calls: the feature service, or a proxy
    owns_work_dir: bool = True
    env: dict[str, str] = field(default_factory=dict)

    @property
    def feature_url(self) -> str:
        return self.services[FEATURE_SERVICE].url

    @property
    def model_url(self) -> str:
        return self.services[MODEL_SERVER].url

    @property
    def traffic_url(self) -> str:
        return self.services[TRAFFIC].url

    @property
    def data_file(self) -> Path:
        return self.work_dir / "features.csv"

    @property
    def model_file(self) -> Path:
        return self.work_dir / "model.json"

    @property
    def version_file(self) -> Path:
        return self.work_dir / "feature-service.version"

    def pid(self, name: str) -> int | None:
        proc = self.services[name].process
        return proc.pid if proc and proc.poll() is None else None

    def command(self, name: str) -> list[str]:
        """The argv that (re)starts ``name`` on its port (a drill's restart/undo command)."""
        return list(self.services[name].argv)

    def scrape_targets(self) -> dict[str, str]:
        """Prometheus job name -> ``host:port`` of its /metrics."""
        return {name: f"127.0.0.1:{svc.port}" for name, svc in self.services.items()}

    def stop(self) -> None:
        """Stop every service (also ones a drill restarted), then remove the work directory."""
        for service in reversed(list(self.services.values())):
            if service.process is not None:
                stop_group(service.process)
            stop_pid_file(service.pid_file, _MODULES[service.name])
        stop_matching(("chaosml.demo.", f"--pid-file {self.work_dir}{os.sep}"))
        if self.owns_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "work_dir": str(self.work_dir),
            "model_feature_url": self.model_feature_url,
            "data_file": str(self.data_file),
            "model_file": str(self.model_file),
            "version_file": str(self.version_file),
            "services": {
                name: {
                    "url": svc.url,
                    "pid": self.pid(name),
                    "pid_file": str(svc.pid_file),
                    "command": svc.argv,
                    "log": str(svc.log),
                }
                for name, svc in self.services.items()
            },
        }


def service_env(work_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the services: this one, chaosml importable, the stack marker."""
    env = {**os.environ, **(extra or {})}
    source_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    env[STACK_ENV] = str(work_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def prepare_work_dir(work_dir: Path, data_file: Path | None) -> None:
    """Copy the feed, train a fresh model, write the feature service version."""
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_file or SHIPPED_FEATURES, work_dir / "features.csv")
    model = train()
    artifact.save(model, work_dir / "model.json")
    write_bad_models(model, work_dir / "models")  # what the model.swap drills swap in
    (work_dir / "feature-service.version").write_text(DEFAULT_VERSION + "\n")


def _service(stack: Stack, name: str, args: list[str]) -> Service:
    port = free_port()
    pid_file = stack.work_dir / f"{name}.pid"
    argv = [sys.executable, "-m", _MODULES[name], "--port", str(port), "--pid-file", str(pid_file)]
    return Service(name, port, [*argv, *args], pid_file, stack.work_dir / f"{name}.log")


def _launch(stack: Stack, service: Service, health: str, within: float) -> None:
    stack.services[service.name] = service
    service.process = start_logged(service.argv, service.log, stack.env)
    _wait_healthy(service.url + health, service.process, service.log, within)


def start_stack(
    work_dir: Path | None = None,
    *,
    rate: float = 10.0,
    on_invalid: str = "impute",
    data_file: Path | None = None,
    route_features: Callable[[str], str] | None = None,
    within: float = 20.0,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    """Start the three services and wait until each answers ``/health``.

    ``route_features`` gets the feature service URL and returns the URL the model server should
    call instead (e.g. a chaosml proxy it started in front of it). ``rate=0`` starts no traffic.
    ``extra_env`` is added to the services' environment (tests mark them ``CHAOSML_TEST=1``).
    On a failure everything started so far is stopped and StackError raised.
    """
    owns = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="chaosml-demo-")) if work_dir is None else work_dir
    stack = Stack(root, owns_work_dir=owns, env=service_env(root, extra_env))
    try:
        _start_all(stack, rate, on_invalid, data_file, route_features, within)
    except BaseException:
        stack.stop()
        raise
    return stack


def _start_all(
    stack: Stack,
    rate: float,
    on_invalid: str,
    data_file: Path | None,
    route_features: Callable[[str], str] | None,
    within: float,
) -> None:
    prepare_work_dir(stack.work_dir, data_file)
    features = _service(
        stack,
        FEATURE_SERVICE,
        ["--data", str(stack.data_file), "--version-file", str(stack.version_file)],
    )
    _launch(stack, features, "/health", within)
    stack.model_feature_url = route_features(features.url) if route_features else features.url
    model_args = ["--features", stack.model_feature_url, "--model", str(stack.model_file)]
    model = _service(stack, MODEL_SERVER, [*model_args, "--on-invalid", on_invalid])
    _launch(stack, model, "/health", within)
    if rate > 0:
        traffic = _service(stack, TRAFFIC, ["--url", model.url, "--rate", str(rate)])
        _launch(stack, traffic, "/health", within)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the chaosml demo ML stack in the foreground")
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--on-invalid", choices=("impute", "reject"), default="impute")
    args = parser.parse_args(argv)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stopped.set())
    stack = start_stack(args.work_dir, rate=args.rate, on_invalid=args.on_invalid)
    try:
        print(json.dumps(stack.to_json(), indent=2), flush=True)
        while not stopped.wait(0.5):
            pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
