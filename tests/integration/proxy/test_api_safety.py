"""A web page must not be able to drive the proxy API: browsers, cross-origin requests, DNS
rebinding (a foreign Host) and huge bodies are refused; NaN/Infinity never get in or out."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from tests.fixtures.proxy_env import EchoServer, ProxyProcess


def _proxy_body(upstream_port: int, name: str = "web") -> dict[str, str]:
    return {"name": name, "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{upstream_port}"}


def _nothing_created(proxy: ProxyProcess) -> bool:
    return requests.get(f"{proxy.api_url}/proxies", timeout=5).json() == {}


def test_a_browser_simple_request_is_refused(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    """The CORS-free "simple request" a page can send: text/plain body, browser user agent."""
    reply = requests.post(
        f"{proxy_process.api_url}/proxies",
        data=json.dumps(_proxy_body(echo_server.port)),
        headers={
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
            "Content-Type": "text/plain",
        },
        timeout=5,
    )
    assert reply.status_code == 403
    assert reply.text == "User agent not allowed\n"
    assert _nothing_created(proxy_process)


def test_any_origin_header_is_refused(proxy_process: ProxyProcess, echo_server: EchoServer) -> None:
    reply = requests.post(
        f"{proxy_process.api_url}/proxies",
        json=_proxy_body(echo_server.port),
        headers={"Origin": "http://evil.example"},
        timeout=5,
    )
    assert reply.status_code == 403
    assert "Origin" in reply.json()["error"]
    assert _nothing_created(proxy_process)


def test_host_must_name_the_bound_address(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    port = proxy_process.api_url.rsplit(":", 1)[1]
    url = f"{proxy_process.api_url}/proxies"
    for foreign in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", f"10.0.0.1:{port}"):
        reply = requests.post(
            url, json=_proxy_body(echo_server.port), headers={"Host": foreign}, timeout=5
        )
        assert reply.status_code == 403, foreign
    assert _nothing_created(proxy_process)
    for own in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert requests.get(url, headers={"Host": own}, timeout=5).status_code == 200, own


def test_request_bodies_are_capped(proxy_process: ProxyProcess) -> None:
    started = time.monotonic()
    reply = requests.post(
        f"{proxy_process.api_url}/proxies", data=b"[" + b" " * (2 * 1024 * 1024) + b"]", timeout=10
    )
    assert reply.status_code == 413
    assert time.monotonic() - started < 5
    # a body announced as 10 GB is refused from its header, without waiting for it
    with socket.create_connection(_address(proxy_process), timeout=5) as sock:
        sock.sendall(
            b"POST /proxies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000000\r\n\r\n"
        )
        assert sock.recv(1000).startswith(b"HTTP/1.1 413")


def _address(proxy: ProxyProcess) -> tuple[str, int]:
    host, port = proxy.api_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(
    proxy_process: ProxyProcess, echo_server: EchoServer, number: str
) -> None:
    proxy_process.create("echo", echo_server.port)
    url = f"{proxy_process.api_url}/proxies/echo/toxics"
    for body in (
        '{"type": "latency", "attributes": {"latency": NUMBER}}'.replace("NUMBER", number),
        '{"type": "latency", "toxicity": NUMBER}'.replace("NUMBER", number),
    ):
        reply = requests.post(url, data=body, timeout=5)
        assert reply.status_code == 400, body
    listing = requests.get(url, timeout=5)
    assert listing.json() == []
    assert "NaN" not in listing.text and "Infinity" not in listing.text
