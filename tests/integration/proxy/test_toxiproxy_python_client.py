"""The Python Toxiproxy client from PyPI (``toxiproxy-python``) against chaosml's proxy: every
public method of its Toxiproxy and Proxy classes, and every TCP toxic type added through it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from toxiproxy.server import Toxiproxy

from tests.fixtures.proxy_env import EchoServer, ProxyProcess

pytestmark = pytest.mark.slow


@pytest.fixture
def client(proxy_process: ProxyProcess) -> Iterator[Toxiproxy]:
    """The client pointed at the proxy process (its API address is class state: restored)."""
    saved = (APIConsumer.host, APIConsumer.port)
    host, port = proxy_process.api_url.removeprefix("http://").rsplit(":", 1)
    server = Toxiproxy()
    server.update_api_consumer(host, int(port))
    yield server
    server.update_api_consumer(*saved)


def listen_port(proxy: Any) -> int:
    return int(proxy.listen.rsplit(":", 1)[1])


def echo(port: int, payload: bytes = b"p" * 32) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.perf_counter()
        sock.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = sock.recv(1000)
            assert chunk, "connection closed"
            got += chunk
        return time.perf_counter() - started


def test_server_methods(client: Toxiproxy, echo_server: EchoServer) -> None:
    upstream = f"127.0.0.1:{echo_server.port}"
    assert client.running()
    assert b'"version"' in client.version()
    proxy = client.create(upstream=upstream, name="one")
    assert (proxy.name, proxy.upstream, proxy.enabled) == ("one", upstream, True)
    echo(listen_port(proxy))
    with pytest.raises(ProxyExists):
        client.create(upstream=upstream, name="one")
    assert set(client.proxies()) == {"one"}
    assert client.get_proxy("one").listen == proxy.listen
    assert client.get_proxy("nope") is None
    populated = client.populate(
        [
            {"name": "two", "upstream": upstream, "listen": "127.0.0.1:0"},
            {"name": "three", "upstream": upstream, "listen": "127.0.0.1:0"},
        ]
    )
    assert sorted(p.name for p in populated) == ["three", "two"]
    assert client.destroy(client.get_proxy("two"))
    assert set(client.proxies()) == {"one", "three"}
    client.get_proxy("one").add_toxic(type="latency", attributes={"latency": 50})
    client.get_proxy("one").disable()
    assert client.reset()
    again = client.get_proxy("one")
    assert again.enabled and again.toxics() == {}
    client.destroy_all()
    assert client.proxies() == {}


def test_proxy_methods(client: Toxiproxy, echo_server: EchoServer) -> None:
    proxy = client.create(upstream=f"127.0.0.1:{echo_server.port}", name="db")
    port = listen_port(proxy)
    proxy.add_toxic(type="latency", attributes={"latency": 200})
    toxic = proxy.get_toxic("latency_downstream")
    assert (toxic.type, toxic.stream, toxic.toxicity) == ("latency", "downstream", 1.0)
    assert toxic.attributes == {"latency": 200, "jitter": 0}
    assert set(proxy.toxics()) == {"latency_downstream"}
    assert echo(port) >= 0.2
    assert proxy.destroy_toxic("latency_downstream")
    assert proxy.get_toxic("latency_downstream") is None
    assert echo(port) < 0.1
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(type="no_such_toxic")
    with proxy.down():
        assert not proxy.enabled
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
    assert proxy.enabled
    echo(port)
    assert proxy.destroy()
    with pytest.raises(NotFound):
        APIConsumer.get("/proxies/db")


@pytest.mark.parametrize(
    ("toxic_type", "attributes"),
    [
        ("latency", {"latency": 10, "jitter": 1}),
        ("bandwidth", {"rate": 100}),
        ("slow_close", {"delay": 10}),
        ("timeout", {"timeout": 100}),
        ("reset_peer", {"timeout": 10}),
        ("slicer", {"average_size": 8, "size_variation": 2, "delay": 10}),
        ("limit_data", {"bytes": 10}),
        ("noop", {}),
    ],
)
def test_every_toxic_type_through_the_client(
    client: Toxiproxy, echo_server: EchoServer, toxic_type: str, attributes: dict[str, Any]
) -> None:
    proxy = client.create(upstream=f"127.0.0.1:{echo_server.port}", name="t")
    proxy.add_toxic(type=toxic_type, stream="upstream", toxicity=0.5, attributes=attributes)
    toxic = proxy.get_toxic(f"{toxic_type}_upstream")
    assert (toxic.type, toxic.stream, toxic.toxicity) == (toxic_type, "upstream", 0.5)
    assert toxic.attributes == attributes
    assert proxy.destroy_toxic(f"{toxic_type}_upstream")
    assert proxy.toxics() == {}
