"""Ephemeral proxies: the ones an experiment declares under ``proxies:``, started by chaosml for
the run (after the blast-radius checks) and stopped at its end."""

from __future__ import annotations

from typing import Any

from chaosml.engine.state import RunState
from chaosml.journal.events import ProxyStarted


def start_all(state: RunState) -> list[Any]:
    """Start every declared proxy; on a failure stop the ones started and raise."""
    if not state.experiment.proxies:
        return []
    from chaosml.proxy.ephemeral import start_ephemeral

    handles: list[Any] = []
    try:
        for spec in state.experiment.proxies:
            handle = start_ephemeral(spec.listen, spec.upstream, spec.protocol, name=spec.name)
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


def stop_all(handles: list[Any]) -> None:
    for handle in reversed(handles):
        handle.stop()
