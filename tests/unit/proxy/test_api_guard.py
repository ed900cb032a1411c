"""The API's request guard: which Host values a bound API accepts, and what it refuses."""

from __future__ import annotations

import asyncio
import json

import pytest

from chaosml.proxy.api import ControlApi
from chaosml.proxy.api_guard import allowed_hosts, check_request
from chaosml.proxy.collection import ProxyCollection
from chaosml.proxy.errors import ApiError
from chaosml.proxy.http_wire import Message


def test_loopback_bind_accepts_its_own_names_with_its_port() -> None:
    hosts = allowed_hosts("127.0.0.1", 8474)
    assert hosts is not None
    assert {"127.0.0.1:8474", "localhost:8474", "[::1]:8474"} <= hosts
    assert "localhost" not in hosts and "evil.example:8474" not in hosts
    assert "localhost" in (allowed_hosts("127.0.0.1", 80) or set())
    assert allowed_hosts("0.0.0.0", 8474) is None  # remote bind: the token guards it


@pytest.mark.parametrize(
    "header",
    [("User-Agent", "Mozilla/5.0"), ("Origin", "null"), ("Host", "rebind.example:8474")],
)
def test_browser_origin_and_foreign_host_are_403(header: tuple[str, str]) -> None:
    request = Message("POST /proxies HTTP/1.1", [header])
    with pytest.raises(ApiError) as caught:
        check_request(request, allowed_hosts("127.0.0.1", 8474))
    assert caught.value.status == 403


def test_nan_in_a_body_is_400_and_never_echoed() -> None:
    api = ControlApi(ProxyCollection())
    body = b'{"name": "a", "upstream": "127.0.0.1:9", "enabled": NaN}'
    reply = asyncio.run(api.handle(Message("POST /proxies HTTP/1.1", [], body)))
    assert reply.status == 400
    json.loads(reply.body, parse_constant=_not_json)  # strict JSON: no bare NaN/Infinity


def _not_json(name: str) -> None:
    raise AssertionError(f"the answer contains a bare {name}")
