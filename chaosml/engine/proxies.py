"""Ephemeral proxies: the ones an experiment declares under ``proxies:``, started by chaosml for
the run (after the blast-radius checks) and stopped at its end.

The engine does not import the proxy server: whoever builds the ``RunOptions`` passes
``start_proxy`` (the CLI, the game day and the demo pass ``chaosml.proxy.launcher.start_proxy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from chaosml.errors import InputError
from chaosml.journal.events import ProxyStarted

if TYPE_CHECKING:
    from chaosml.engine.state import RunState


class ProxyHandle(Protocol):
    """A running proxy: where clients connect, its control API, and how to stop it."""

    @property
    def listen(self) -> str: ...

    @property
    def api_url(self) -> str: ...

    def stop(self) -> None: ...


class ProxyStarter(Protocol):
    """Starts a proxy ``listen`` → ``upstream``; returns once it serves."""

    def __call__(
        self, listen: str, upstream: str, protocol: str = "tcp", *, name: str = "ephemeral"
    ) -> ProxyHandle: ...


def start_all(state: RunState) -> list[ProxyHandle]:
    """Start every declared proxy; on a failure stop the ones started and raise."""
    if not state.experiment.proxies:
        return []
    start = state.options.start_proxy
    if start is None:
        raise InputError("this runner cannot start the experiment's proxies (no proxy starter)")
    handles: list[ProxyHandle] = []
    try:
        for spec in state.experiment.proxies:
            handle = start(spec.listen, spec.upstream, spec.protocol, name=spec.name)
            handles.append(handle)
            state.ctx.proxies[spec.name] = handle.api_url
            state.journal.write(
                ProxyStarted(
                    name=spec.name,
                    listen=handle.listen,
                    upstream=spec.upstream,
                    protocol=spec.protocol,
                    api=handle.api_url,
                )
            )
    except BaseException:
        stop_all(handles)
        raise
    return handles


def stop_all(handles: list[ProxyHandle]) -> None:
    for handle in reversed(handles):
        handle.stop()
