"""Evidence of a Docker fault: each container's state, inspected right after the fault.

``docker.stop`` has an effect on the containers that are ``exited``/``dead`` afterwards,
``docker.pause`` on those ``paused``, ``docker.kill`` with a signal that ends a process on those
no longer ``running`` (a restart policy may already have them ``restarting``), ``docker.restart``
on those ``running`` again, ``docker.disconnect`` on those no longer on the network. A kill with
a signal a process may handle (SIGHUP, SIGUSR1...) counts as delivered when Docker accepted it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chaosml.contract.records import Evidence
from chaosml.drivers.docker_containers import ContainerRef
from chaosml.drivers.docker_driver import ContainerState, DockerEngine

Hit = Callable[[ContainerState], bool]
ENDING_SIGNALS = frozenset({"SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGABRT"})


def containers_evidence(
    engine: DockerEngine, refs: Sequence[ContainerRef], hit: Hit, what: str
) -> Evidence:
    """``docker.stop: 2 of 2 containers exited (web-1: exited, web-2: exited)``."""
    states = [(ref, engine.find(ref.id)) for ref in refs]
    hits = sum(1 for _, state in states if state is not None and hit(state))
    shown = ", ".join(f"{ref.name or ref.id[:12]}: {_state(s)}" for ref, s in states)
    summary = f"{hits} of {len(refs)} containers {what} ({shown})"
    counters = {"containers": len(refs), "affected": hits}
    return Evidence(hits > 0, summary, counters)


def _state(state: ContainerState | None) -> str:
    return "gone" if state is None else state.state


def stopped(state: ContainerState) -> bool:
    return state.state in {"exited", "dead"}


def paused(state: ContainerState) -> bool:
    return state.state == "paused"


def running(state: ContainerState) -> bool:
    return state.state == "running"


def killed_by(signal: str, restarts_before: dict[str, int]) -> Hit:
    """Not running any more, or restarted by its restart policy since the kill."""
    if signal not in ENDING_SIGNALS:
        return lambda state: True  # delivered: the process may handle it and keep running
    return lambda state: (
        state.state != "running" or state.restarts > restarts_before.get(state.id, state.restarts)
    )


def off_network(network: str) -> Hit:
    return lambda state: network not in state.networks
