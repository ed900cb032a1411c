"""The API's bind policy and token."""

from __future__ import annotations

import asyncio

import pytest

from chaosml.errors import InputError
from chaosml.proxy.http_wire import Message
from chaosml.proxy.server import ProxyServer, check_bind
from tests.fixtures.proxy_env import start_proxy_process, stop_process


def test_non_loopback_bind_needs_flag_and_token() -> None:
    with pytest.raises(InputError):
        check_bind("0.0.0.0:8474", allow_remote=False, token="t")
    with pytest.raises(InputError):
        check_bind("0.0.0.0:8474", allow_remote=True, token=None)
    assert check_bind("0.0.0.0:8474", allow_remote=True, token="t") == ("0.0.0.0", 8474)
    assert check_bind("127.0.0.1:0", allow_remote=False, token=None) == ("127.0.0.1", 0)


def test_token_is_checked_on_every_request() -> None:
    server = ProxyServer("127.0.0.1:0", token="s3cret")

    async def ask(headers: list[tuple[str, str]]) -> int:
        return (await server.api.handle(Message("GET /proxies HTTP/1.1", headers))).status

    assert asyncio.run(ask([])) == 401
    assert asyncio.run(ask([("Authorization", "Bearer wrong")])) == 401
    assert asyncio.run(ask([("Authorization", "Bearer s3cret")])) == 200
    assert asyncio.run(ask([("X-Chaosml-Token", "s3cret")])) == 200


def test_cli_entry_refuses_a_remote_bind_without_token() -> None:
    with pytest.raises(AssertionError, match="proxy did not start"):
        proxy = start_proxy_process("--api", "0.0.0.0:0")
        stop_process(proxy.process)
