"""``start_proxy``: what the CLI, the game day and the demo give the engine to start an
experiment's ``proxies:`` (``RunOptions.start_proxy``). The proxy server is imported on the
first call only: most runs declare no proxy and should not pay for its import."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosml.proxy.ephemeral import EphemeralProxy


def start_proxy(
    listen: str, upstream: str, protocol: str = "tcp", *, name: str = "ephemeral"
) -> EphemeralProxy:
    from chaosml.proxy.ephemeral import start_ephemeral

    return start_ephemeral(listen, upstream, protocol, name=name)
