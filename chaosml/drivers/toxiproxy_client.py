"""A small client of the Toxiproxy HTTP API (chaosml's own proxy or a real Toxiproxy).

Speaks through :mod:`chaosml.io.http_client`, so an unreachable API becomes an
``InfrastructureError`` naming the URL; API refusals (404, 409, 400) become ``DriverError``.
Every call is bounded by a short timeout: a hung proxy API fails the call, never the run.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from chaosml import redaction
from chaosml.errors import DriverError, InfrastructureError
from chaosml.io import http_client

TOKEN_ENV = "CHAOSML_PROXY_TOKEN"
DEFAULT_TIMEOUT_S = 5.0


class ToxiproxyClient:
    """Proxies and toxics behind one API URL."""

    def __init__(self, api: str, *, token: str | None = None, timeout: float = DEFAULT_TIMEOUT_S):
        self.api = api.rstrip("/")
        self.token = token or os.environ.get(TOKEN_ENV) or None
        self.timeout = timeout

    def proxies(self) -> dict[str, Any]:
        """Every proxy by name, with its toxics (``GET /proxies``)."""
        reply = self._call("GET", "/proxies")
        self._refuse_errors(reply, "listing proxies")
        data = reply.json()
        return data if isinstance(data, dict) else {}

    def proxy(self, name: str) -> dict[str, Any]:
        reply = self._call("GET", f"/proxies/{quote(name, safe='')}")
        self._refuse_errors(reply, f"proxy '{name}'")
        data = reply.json()
        return data if isinstance(data, dict) else {}

    def add_toxic(self, proxy: str, toxic: dict[str, Any]) -> None:
        reply = self._call("POST", f"/proxies/{quote(proxy, safe='')}/toxics", toxic)
        self._refuse_errors(reply, f"adding toxic '{toxic.get('name')}' to proxy '{proxy}'")

    def remove_toxic(self, proxy: str, name: str) -> bool:
        """Remove a toxic; False when it (or its proxy) is already gone."""
        path = f"/proxies/{quote(proxy, safe='')}/toxics/{quote(name, safe='')}"
        reply = self._call("DELETE", path)
        if reply.status == 404:
            return False
        self._refuse_errors(reply, f"removing toxic '{name}' from proxy '{proxy}'")
        return True

    def update_toxic(self, proxy: str, name: str, changes: dict[str, Any]) -> bool:
        """Change a toxic's attributes or toxicity; False when it (or its proxy) is gone."""
        path = f"/proxies/{quote(proxy, safe='')}/toxics/{quote(name, safe='')}"
        reply = self._call("POST", path, changes)
        if reply.status == 404:
            return False
        self._refuse_errors(reply, f"updating toxic '{name}' on proxy '{proxy}'")
        return True

    def _call(self, method: str, path: str, body: Any = None) -> http_client.HttpResponse:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        url = self.api + path
        try:
            return http_client.request(
                method, url, json=body, headers=headers, timeout=self.timeout
            )
        except InfrastructureError as exc:
            raise InfrastructureError(
                f"proxy API {self.api} unreachable: {exc.message}",
                hint="is the proxy running (chaosml proxy serve, or Toxiproxy), the api URL right?",
            ) from exc

    def _refuse_errors(self, reply: http_client.HttpResponse, doing: str) -> None:
        if reply.status < 400:
            return
        body = reply.json()
        message = (
            body.get("error") if isinstance(body, dict) else redaction.clip(reply.text, 200, "")
        )
        hint = "set CHAOSML_PROXY_TOKEN or proxy.token" if reply.status == 401 else ""
        raise DriverError(f"{doing} at {self.api}: {reply.status} {message}", hint=hint)
