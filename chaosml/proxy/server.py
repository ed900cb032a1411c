"""The proxy server: the control API listener and the proxies it manages, on one event loop."""

from __future__ import annotations

import asyncio
import ipaddress

from chaosml.errors import InputError
from chaosml.proxy.api import ControlApi
from chaosml.proxy.api_guard import CappedReader, allowed_hosts
from chaosml.proxy.collection import ProxyCollection
from chaosml.proxy.errors import ApiError
from chaosml.proxy.leases import sweep_forever
from chaosml.proxy.proxy import BACKLOG, split_address

DEFAULT_API = "127.0.0.1:8474"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(api: str, *, allow_remote: bool, token: str | None) -> tuple[str, int]:
    """The API's host and port; refuse a non-loopback bind without the flag and a token."""
    try:
        host, port = split_address(api)
    except ApiError as exc:
        raise InputError(exc.message, hint="write the API address as host:port") from None
    if is_loopback(host):
        return host, port
    if not allow_remote or not token:
        raise InputError(
            f"refusing to bind the proxy API to {host}: it controls network faults",
            hint="bind 127.0.0.1, or pass --allow-remote together with --token",
        )
    return host, port


class ProxyServer:
    """Runs the control API; the proxies it creates run on the same loop."""

    def __init__(
        self, api: str = DEFAULT_API, *, token: str | None = None, allow_remote: bool = False
    ) -> None:
        self.host, self.port = check_bind(api, allow_remote=allow_remote, token=token)
        self.collection = ProxyCollection()
        self.api = ControlApi(self.collection, token)
        self._server: asyncio.Server | None = None
        self._leases: asyncio.Task[None] | None = None

    @property
    def api_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> asyncio.StreamReaderProtocol:
            return asyncio.StreamReaderProtocol(CappedReader(), self.api.serve)

        try:
            self._server = await loop.create_server(
                protocol, self.host, self.port, reuse_address=True, backlog=BACKLOG
            )
        except OSError as exc:
            raise InputError(
                f"cannot bind the proxy API on {self.host}:{self.port}: {exc.strerror or exc}",
                hint="is another proxy (or Toxiproxy) already running there? pick another --api",
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        self.api.hosts = allowed_hosts(self.host, self.port)
        self._leases = asyncio.create_task(sweep_forever(self.collection))  # expired toxics go

    async def close(self) -> None:
        if self._leases is not None:
            self._leases.cancel()
        if self._server is not None:
            self._server.close()
        self.api.close_clients()
        await self.collection.close()
