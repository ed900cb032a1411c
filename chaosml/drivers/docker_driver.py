"""The one place chaosml imports the ``docker`` SDK; its errors become chaosml errors here.

``DockerEngine`` is a thin, typed face of the Docker Engine API: every call returns plain data
(``ContainerState``) or nothing, and raises only chaosml errors:

- the daemon cannot be reached (socket missing, refused, no permission, timeout)
  -> ``InfrastructureError`` saying how to reach it (DOCKER_HOST, socket permissions, dockerd);
- a container or network does not exist -> ``DriverError`` naming it;
- anything else the engine refuses -> ``DriverError`` with the engine's explanation.

The SDK client is built lazily, on the first call, with a short timeout (never past the
deadline of the driver call it serves), and reused by every thread of the process (one per
``DOCKER_HOST`` and timeout). The fault, probe and target drivers live in
``docker_faults``, ``docker_probe`` and ``docker_target``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import docker
import docker.errors

from chaosml import cancellation, redaction
from chaosml.errors import DriverError, InfrastructureError

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
API_TIMEOUT_S = 10.0  # per API call; stop/restart add their own grace period on top
MAX_CONNECTIONS = 32  # faults fan out over up to this many containers at once

REACH_HINT = (
    "is dockerd running (`docker info`)? Is DOCKER_HOST its socket or URL? "
    "May this user use the socket (root, or the 'docker' group)?"
)
_SOCKET_PROBLEMS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "no socket there"),
    (ConnectionRefusedError, "connection refused"),
    (PermissionError, "permission denied on the socket"),
    (TimeoutError, "no answer in time"),
)


@dataclass(frozen=True)
class Endpoint:
    """A container's attachment to one network: what a reconnect needs to restore it."""

    aliases: list[str] = field(default_factory=list)
    ipv4_address: str | None = None  # only when it was configured explicitly


@dataclass(frozen=True)
class ContainerState:
    """What chaosml reads about one container."""

    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    state: str = "unknown"  # created, running, paused, restarting, exited, dead
    health: str = "none"  # healthy, unhealthy, starting, or none without a healthcheck
    restarts: int = 0
    exit_code: int = 0
    networks: dict[str, Endpoint] = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        return self.id[:12]


def daemon_address() -> str:
    """The daemon chaosml talks to, as the user would write it."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET


class DockerEngine:
    """Typed calls to the Docker Engine API with chaosml errors."""

    def inspect(self, ref: str) -> ContainerState:
        with translated(f"container '{ref}'"):
            raw = _client().api.inspect_container(ref)
        return _state_from_inspect(raw)

    def find(self, ref: str) -> ContainerState | None:
        """The container's state, or None when it does not exist (any more)."""
        with translated(f"container '{ref}'"):
            try:
                raw = _client().api.inspect_container(ref)
            except docker.errors.NotFound:
                return None
        return _state_from_inspect(raw)

    def list_running(self, labels: dict[str, str]) -> list[ContainerState]:
        """Running and paused containers carrying every label in ``labels``."""
        filters: dict[str, Any] = {"status": ["running", "paused"]}
        if labels:
            filters["label"] = [f"{key}={value}" for key, value in labels.items()]
        with translated("the container list"):
            rows = _client().api.containers(all=True, filters=filters)
        return [_state_from_list_row(row) for row in rows]

    def kill(self, ref: str, signal: str) -> None:
        with translated(f"container '{ref}'"):
            _client().api.kill(ref, signal=signal)

    def stop(self, ref: str, grace_s: int) -> None:
        with translated(f"container '{ref}'"):
            _client().api.stop(ref, timeout=grace_s)

    def restart(self, ref: str, grace_s: int) -> None:
        with translated(f"container '{ref}'"):
            _client().api.restart(ref, timeout=grace_s)

    def start(self, ref: str) -> None:
        with translated(f"container '{ref}'"):
            _client().api.start(ref)

    def pause(self, ref: str) -> None:
        with translated(f"container '{ref}'"):
            _client().api.pause(ref)

    def unpause(self, ref: str) -> None:
        with translated(f"container '{ref}'"):
            _client().api.unpause(ref)

    def disconnect(self, ref: str, network: str) -> None:
        with translated(f"container '{ref}' or network '{network}'"):
            _client().api.disconnect_container_from_network(ref, network)

    def connect(
        self, ref: str, network: str, aliases: list[str], ipv4_address: str | None = None
    ) -> None:
        with translated(f"container '{ref}' or network '{network}'"):
            _client().api.connect_container_to_network(
                ref, network, aliases=aliases or None, ipv4_address=ipv4_address
            )

    def get_archive(self, ref: str, path: str) -> bytes | None:
        """A tar of ``path`` in the container (a file or a directory), None when it is absent."""
        with translated(f"container '{ref}'"):
            try:
                stream, _ = _client().api.get_archive(ref, path)
            except docker.errors.NotFound:
                return None
            return b"".join(stream)

    def put_archive(self, ref: str, directory: str, data: bytes) -> None:
        with translated(f"container '{ref}' (directory {directory})"):
            _client().api.put_archive(ref, directory, data)

    def exec_leased(self, ref: str, command: list[str]) -> Any:
        """Start ``command`` in the container with its stdin attached to the returned socket
        (what is sent on it reaches the command's stdin; Docker does not close that stdin when
        the socket closes, so a lease over it is a heartbeat, not end of file)."""
        with translated(f"container '{ref}'"):
            exec_id = _client().api.exec_create(ref, command, stdin=True, stdout=False)["Id"]
            attached = _client().api.exec_start(exec_id, socket=True)
        return getattr(attached, "_sock", attached)

    def exec_run(self, ref: str, command: list[str]) -> tuple[int, str]:
        """Run ``command`` in the container; its exit code and output."""
        with translated(f"container '{ref}'"):
            result = _client().containers.get(ref).exec_run(command)
        return int(result.exit_code or 0), bytes(result.output or b"").decode(errors="replace")


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn SDK and socket errors raised inside the block into chaosml errors."""
    try:
        yield
    except docker.errors.NotFound as exc:
        raise DriverError(f"{what} not found on the Docker daemon at {daemon_address()}") from exc
    except docker.errors.APIError as exc:
        raise DriverError(f"Docker refused an operation on {what}: {_explain(exc)}") from exc
    except (docker.errors.DockerException, OSError) as exc:
        # requests' connection errors and timeouts are OSErrors; so are socket errors.
        raise unreachable(exc) from exc


def unreachable(exc: BaseException) -> InfrastructureError:
    """The error for a daemon chaosml cannot talk to; its message says how to reach one."""
    return InfrastructureError(
        f"cannot reach the Docker daemon at {daemon_address()} ({_reason(exc)}); {REACH_HINT}",
        hint=REACH_HINT,
    )


def _reason(exc: BaseException) -> str:
    """The socket-level cause, in words, found anywhere in the exception's chain or args."""
    for cause in _causes(exc):
        for kind, words in _SOCKET_PROBLEMS:
            if isinstance(cause, kind):
                return words
    if "timed out" in str(exc).lower():
        return "no answer in time"
    return _short(str(exc)) or type(exc).__name__


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    yield exc
    if depth > 6:
        return
    nested = [a for a in exc.args if isinstance(a, BaseException)]
    for inner in [exc.__cause__, exc.__context__, *nested]:
        if inner is not None:
            yield from _causes(inner, depth + 1)


def _client() -> docker.DockerClient:
    """The client whose timeout ends by the deadline of the driver call this runs in (whole
    seconds: one client per address and timeout, each reused)."""
    timeout = math.ceil(cancellation.seconds_left(API_TIMEOUT_S, floor=1.0))
    return _client_for(daemon_address(), timeout)


@lru_cache(maxsize=16)
def _client_for(address: str, timeout: int) -> docker.DockerClient:
    try:
        return docker.DockerClient(base_url=address, timeout=timeout, max_pool_size=MAX_CONNECTIONS)
    except (docker.errors.DockerException, OSError) as exc:
        raise unreachable(exc) from exc


def _state_from_inspect(raw: dict[str, Any]) -> ContainerState:
    state = raw.get("State") or {}
    config = raw.get("Config") or {}
    networks = (raw.get("NetworkSettings") or {}).get("Networks") or {}
    return ContainerState(
        id=str(raw["Id"]),
        name=str(raw.get("Name", "")).lstrip("/"),
        labels=dict(config.get("Labels") or {}),
        state=str(state.get("Status", "unknown")),
        health=str((state.get("Health") or {}).get("Status", "none")),
        restarts=int(raw.get("RestartCount", 0)),
        exit_code=int(state.get("ExitCode", 0)),
        networks={name: _endpoint(ep or {}) for name, ep in networks.items()},
    )


def _endpoint(raw: dict[str, Any]) -> Endpoint:
    address = (raw.get("IPAMConfig") or {}).get("IPv4Address")
    return Endpoint(list(raw.get("Aliases") or []), str(address) if address else None)


def _state_from_list_row(row: dict[str, Any]) -> ContainerState:
    names = row.get("Names") or [""]
    return ContainerState(
        id=str(row["Id"]),
        name=str(names[0]).lstrip("/"),
        labels=dict(row.get("Labels") or {}),
        state=str(row.get("State", "unknown")),
    )


def _explain(exc: docker.errors.APIError) -> str:
    explanation = exc.explanation
    if isinstance(explanation, bytes):
        explanation = explanation.decode(errors="replace")
    return _short(str(explanation or exc))


def _short(text: str) -> str:
    return redaction.clip(text, 303)


class UsesDocker:
    """A driver that talks to the Docker engine: its own ``DockerEngine``, or the one given
    (tests pass a fake or a shared one)."""

    def __init__(self, engine: DockerEngine | None = None) -> None:
        self.engine = engine or DockerEngine()
