"""chaosml's webhook sink on real loopback sockets: where it listens, what it refuses, and that
nothing listens once it is stopped (issue 19)."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

from chaosml.errors import InfrastructureError, InputError
from chaosml.io.ports import free_port
from chaosml.notify.sink import WebhookSink, parse_listen
from tests.unit.notify.payloads import encoded


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    rejected: list[tuple[int, str]] = []
    sink = WebhookSink(
        "127.0.0.1:0", max_bytes=4096, on_rejected=lambda s, r: rejected.append((s, r))
    )
    sink.rejected_log = rejected  # type: ignore[attr-defined]
    sink.start()
    yield sink
    sink.stop()


def _post(sink: WebhookSink, body: bytes, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection(sink.host, sink.port, timeout=5)
    try:
        conn.request("POST", "/ml-oncall", body=body, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_a_webhook_is_accepted_and_kept(sink: WebhookSink) -> None:
    assert _post(sink, encoded()) == 200
    [note] = sink.received()
    assert (note.receiver, note.path) == ("ml-oncall", "/ml-oncall")


def test_a_body_over_the_size_limit_is_refused_with_413_and_not_read(sink: WebhookSink) -> None:
    assert _post(sink, b"x" * 5000) == 413
    assert sink.received() == []
    assert sink.rejected_log == [(413, "body over 4096 bytes")]  # type: ignore[attr-defined]


def test_a_malformed_body_is_refused_with_400(sink: WebhookSink) -> None:
    assert _post(sink, b'{"version": "4"}') == 400
    assert _post(sink, encoded(version="2")) == 400
    assert sink.received() == []


def test_a_get_is_refused_with_405(sink: WebhookSink) -> None:
    conn = http.client.HTTPConnection(sink.host, sink.port, timeout=5)
    conn.request("GET", "/")
    assert conn.getresponse().status == 405
    conn.close()


def test_a_body_without_length_is_refused_with_411(sink: WebhookSink) -> None:
    assert _post(sink, encoded(), {"Transfer-Encoding": "chunked"}) == 411


@pytest.mark.parametrize("listen", ["9097", ":9097", "127.0.0.1:9097"])
def test_no_host_means_loopback(listen: str) -> None:
    assert parse_listen(listen) == ("127.0.0.1", 9097)


def test_it_listens_only_on_the_address_it_was_given() -> None:
    port = free_port()
    sink = WebhookSink(str(port)).start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        assert sink._server is not None and sink._server.server_address[0] == "127.0.0.1"
    finally:
        sink.stop()
    assert _refused(port)


def test_stop_closes_the_socket_and_is_safe_twice() -> None:
    sink = WebhookSink("127.0.0.1:0").start()
    port = sink.port
    sink.stop()
    sink.stop()
    assert _refused(port)
    assert not sink.running


def test_a_port_in_use_is_a_clear_infrastructure_error(sink: WebhookSink) -> None:
    with pytest.raises(InfrastructureError, match=f"cannot listen on 127.0.0.1:{sink.port}"):
        WebhookSink(f"127.0.0.1:{sink.port}").start()


def test_a_bad_listen_is_an_input_error() -> None:
    with pytest.raises(InputError, match="expected host:port or a port, got 'here'"):
        parse_listen("here")
