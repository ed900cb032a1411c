"""HTTP/1.1 framing: Content-Length, chunked, until-close, no-body responses."""

from __future__ import annotations

import asyncio

from chaosml.proxy.http_wire import Message, read_request, read_response


def reader_of(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


def test_requests_with_length_and_chunked_bodies_in_sequence() -> None:
    async def scenario() -> list[Message | None]:
        reader = reader_of(
            b"POST /a?x=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
            b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n1;ext=1\r\n!\r\n0\r\n\r\n"
        )
        return [await read_request(reader), await read_request(reader), await read_request(reader)]

    first, second, end = asyncio.run(scenario())
    assert first is not None and first.path == "/a" and first.body == b"abc" and first.keep_alive
    assert second is not None and second.body == b"hi!"
    assert end is None


def test_rewritten_message_gets_a_content_length() -> None:
    message = Message("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked"), ("X", "y")], b"12345")
    assert message.to_bytes() == b"HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 5\r\n\r\n12345"


def test_responses_until_close_and_without_body() -> None:
    async def scenario() -> tuple[Message, Message]:
        until_close = await read_response(reader_of(b"HTTP/1.0 200 OK\r\n\r\nall of it"), "GET")
        head = await read_response(
            reader_of(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"), "HEAD"
        )
        return until_close, head

    until_close, head = asyncio.run(scenario())
    assert until_close.body == b"all of it" and not until_close.keep_alive
    assert head.body == b"" and head.status == 200
