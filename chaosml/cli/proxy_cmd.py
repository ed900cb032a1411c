"""``chaosml proxy serve``: run chaosml's fault-injecting proxy in the foreground."""

from __future__ import annotations

from chaosml.cli.errors import guarded
from chaosml.proxy.runner import run_forever


def serve(
    api: str, config: str | None, allow_remote: bool, token: str | None, debug: bool = False
) -> int:
    """Serve the Toxiproxy-compatible API on ``api`` (loopback unless ``allow_remote`` and a
    ``token``), create the proxies in ``config``, and run until SIGINT/SIGTERM.

    The exit code: 0 after a signal, 2 for a refused bind, a busy port or a bad config file.
    """

    def body() -> int:
        run_forever(api, config, allow_remote=allow_remote, token=token)
        return 0

    return guarded(body, debug)
