"""The set of proxies a server runs, with Toxiproxy's create/update/populate/reset rules."""

from __future__ import annotations

from typing import Any

from chaosml.proxy.errors import (
    BAD_REQUEST_BODY,
    MISSING_FIELD,
    PROXY_EXISTS,
    PROXY_NOT_FOUND,
    ApiError,
)
from chaosml.proxy.proxy import PROTOCOLS, Proxy, split_address


class PopulateError(ApiError):
    """A populate that failed at one entry, with the proxies made before it (as Toxiproxy)."""

    def __init__(self, error: ApiError, done: list[Proxy]) -> None:
        super().__init__(error.message, error.status)
        self.done = done


class ProxyCollection:
    """Proxies by name."""

    def __init__(self) -> None:
        self.proxies: dict[str, Proxy] = {}

    def get(self, name: str) -> Proxy:
        try:
            return self.proxies[name]
        except KeyError:
            raise PROXY_NOT_FOUND from None

    async def create(self, raw: Any) -> Proxy:
        proxy = proxy_from_json(raw)
        if proxy.name in self.proxies:
            raise PROXY_EXISTS
        await proxy.start()
        self.proxies[proxy.name] = proxy
        return proxy

    async def update(self, name: str, raw: Any) -> Proxy:
        proxy = self.get(name)
        if not isinstance(raw, dict):
            raise BAD_REQUEST_BODY.joined("expected a JSON object")
        listen = str(raw.get("listen", proxy.listen))
        upstream = str(raw.get("upstream", proxy.upstream))
        enabled = bool(raw.get("enabled", proxy.enabled))
        split_address(listen)
        split_address(upstream)
        if (listen, upstream, enabled) != (proxy.listen, proxy.upstream, proxy.enabled):
            await proxy.stop()
            proxy.listen, proxy.upstream, proxy.enabled = listen, upstream, enabled
            await proxy.start()
        return proxy

    async def remove(self, name: str) -> None:
        proxy = self.get(name)
        await proxy.stop()
        del self.proxies[name]

    async def populate(self, raw: Any) -> list[Proxy]:
        """Create or replace every proxy in the list; keep unchanged ones as they are.

        As in Toxiproxy, every entry is checked first (nothing is made when one is malformed);
        a proxy that then fails to start raises PopulateError with the ones made before it.
        """
        if not isinstance(raw, list):
            raise BAD_REQUEST_BODY.joined("expected a JSON array of proxies")
        wanted = [_numbered_proxy(item, number) for number, item in enumerate(raw, 1)]
        done: list[Proxy] = []
        for proxy in wanted:
            try:
                done.append(await self._put(proxy))
            except ApiError as exc:
                raise PopulateError(exc, done) from None
        return done

    async def _put(self, proxy: Proxy) -> Proxy:
        current = self.proxies.get(proxy.name)
        if current is not None and _same_config(current, proxy):
            return current
        if current is not None:
            await self.remove(proxy.name)
        await proxy.start()
        self.proxies[proxy.name] = proxy
        return proxy

    async def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        for proxy in self.proxies.values():
            proxy.enabled = True
            await proxy.start()
            proxy.reset_toxics()

    async def close(self) -> None:
        for proxy in self.proxies.values():
            await proxy.stop()


def proxy_from_json(raw: Any) -> Proxy:
    if not isinstance(raw, dict):
        raise BAD_REQUEST_BODY.joined("expected a JSON object")
    for key in ("name", "upstream"):
        if not raw.get(key):
            raise MISSING_FIELD.joined(key)
    listen = str(raw.get("listen") or "127.0.0.1:0")
    protocol = str(raw.get("protocol") or "tcp")
    if protocol not in PROTOCOLS:
        raise ApiError(f"bad request body: protocol must be one of {', '.join(PROTOCOLS)}", 400)
    split_address(listen)
    split_address(str(raw["upstream"]))
    enabled = raw.get("enabled", True)
    return Proxy(
        str(raw["name"]), listen, str(raw["upstream"]), enabled=bool(enabled), protocol=protocol
    )


def _numbered_proxy(raw: Any, number: int) -> Proxy:
    try:
        return proxy_from_json(raw)
    except ApiError as exc:
        raise ApiError(f"{exc.message} at proxy {number}", exc.status) from None


def _same_config(a: Proxy, b: Proxy) -> bool:
    same_listen = a.listen == b.listen or b.listen.endswith(":0")
    return same_listen and (a.upstream, a.enabled, a.protocol) == (
        b.upstream,
        b.enabled,
        b.protocol,
    )
