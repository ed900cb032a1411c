"""The optional reload step of ``model.swap``: tell the model server to load the artifact again,
after the swap and after the undo. Either an HTTP call (any 2xx is success) or a signal: to
the container's main process (container mode) or to a local process named by a pid file."""

from __future__ import annotations

import os
import signal
from typing import Any

from pydantic import model_validator

from chaosml.contract.checks import ExactlyOne
from chaosml.contract.params import Params
from chaosml.drivers.docker_driver import DockerEngine
from chaosml.drivers.process_driver import SignalName
from chaosml.errors import DriverError
from chaosml.io import http_client, procfs


class HttpReload(Params):
    url: str
    method: str = "POST"
    timeout: float = 10.0


class Reload(ExactlyOne):
    """``{http: {url, method}}`` or ``{signal: SIGHUP, pid_file: PATH}`` (no pid_file in
    container mode: the container's main process gets it)."""

    http: HttpReload | None = None
    signal: SignalName | None = None
    pid_file: str | None = None

    one_of = ("http", "signal")
    one_of_error = "reload takes exactly one of http: {url} or signal: NAME"

    @model_validator(mode="after")
    def _pid_file_with_signal(self) -> Reload:
        if self.pid_file is not None and self.signal is None:
            raise ValueError("pid_file goes with signal:")
        return self


def reload(spec: dict[str, Any] | None, container: str | None) -> None:
    """Run the reload step ``spec`` (a dumped :class:`Reload`); nothing when it is None."""
    if not spec:
        return
    step = Reload.model_validate(spec)
    if step.http is not None:
        _http(step.http)
    elif container is not None and step.pid_file is None:
        DockerEngine().kill(container, str(step.signal))
    else:
        _signal_local(str(step.signal), step.pid_file)


def _http(call: HttpReload) -> None:
    response = http_client.request(call.method, call.url, timeout=call.timeout)
    if not 200 <= response.status < 300:
        raise DriverError(f"reload {call.method} {call.url} answered {response.status}")


def _signal_local(name: str, pid_file: str | None) -> None:
    pid = procfs.read_pid_file(pid_file) if pid_file else None
    if pid is None:
        raise DriverError(f"reload: no process id in {pid_file or '(no pid_file given)'}")
    try:
        os.kill(pid, getattr(signal, name))
    except OSError as exc:
        raise DriverError(f"reload: cannot signal pid {pid}: {exc.strerror or exc}") from None
