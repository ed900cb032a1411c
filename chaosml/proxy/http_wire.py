"""Reading and writing HTTP/1.1 messages on asyncio streams (requests and responses).

Bodies are read whole (Content-Length, chunked, or until the connection closes) and written
back with a Content-Length, so a rewritten body always goes out with the right length. A
response body above ``max_body`` (by its Content-Length, or once that much of a chunked or
read-until-close body has come) is not held: the message gets a ``BodyStream`` and
``relay_body`` passes the rest on as it comes, in its own framing (bounded memory).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_HEAD = 64 * 1024
COPY_PIECE = 64 * 1024
_NO_BODY_STATUS = {204, 304}


class WireError(Exception):
    """A message that is not valid HTTP/1.1."""


@dataclass
class BodyStream:
    """The rest of a body too large to hold: ``prefix`` (already read, unframed), then what
    is still on the wire in ``framing`` ``length`` (``left`` bytes), ``chunked`` or ``close``."""

    framing: str
    prefix: bytes = b""
    left: int = 0


@dataclass
class Message:
    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    until_close: bool = False  # a response whose body ended with the connection
    stream: BodyStream | None = None  # a body too large to hold, relayed as it comes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def method(self) -> str:
        return self.start_line.split(" ", 1)[0].upper()

    @property
    def target(self) -> str:
        parts = self.start_line.split(" ")
        return parts[1] if len(parts) > 1 else "/"

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def status(self) -> int:
        parts = self.start_line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        if self.until_close or "close" in connection:
            return False
        # the version ends a request line ("GET / HTTP/1.0") and starts a status line
        http_10 = "HTTP/1.0" in self.start_line.split()
        return not http_10 or "keep-alive" in connection

    def to_bytes(self, *, with_body: bool = True) -> bytes:
        """The message on the wire: with its body re-framed by a Content-Length, or (for HEAD,
        1xx, 204, 304) its head exactly as received."""
        if not with_body:
            lines = [self.start_line] + [f"{k}: {v}" for k, v in self.headers]
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        drop = {"content-length", "transfer-encoding"}
        lines = [self.start_line] + [f"{k}: {v}" for k, v in self.headers if k.lower() not in drop]
        lines.append(f"Content-Length: {len(self.body)}")
        head = "\r\n".join(lines) + "\r\n\r\n"
        return head.encode("latin-1") + self.body

    def without(self, name: str) -> Message:
        """A copy without the header ``name``."""
        kept = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        return Message(self.start_line, kept, self.body, self.until_close)


async def read_request(
    reader: asyncio.StreamReader, on_continue: Callable[[], None] | None = None
) -> Message | None:
    """The next request, or None when the client closed the connection between requests.

    ``on_continue`` is called before reading the body of an ``Expect: 100-continue`` request
    (to send the client its ``100 Continue``).
    """
    message = await _read_head(reader)
    if message is None:
        return None
    expects = (message.header("expect") or "").lower() == "100-continue"
    if expects and on_continue is not None and _has_body(message):
        on_continue()
    message.body = await _read_body(reader, message, allow_until_close=False)
    return message


async def read_response(
    reader: asyncio.StreamReader, request_method: str, max_body: int | None = None
) -> Message:
    message = await _read_head(reader)
    if message is None:
        raise WireError("upstream closed the connection before answering")
    if request_method == "HEAD" or message.status in _NO_BODY_STATUS or message.status < 200:
        return message
    message.body = await _read_body(reader, message, allow_until_close=True, limit=max_body)
    return message


async def relay_body(
    reader: asyncio.StreamReader, stream: BodyStream, send: Callable[[bytes], Awaitable[None]]
) -> None:
    """Pass on the rest of a streamed body, framed as it came."""
    if stream.framing == "chunked":
        if stream.prefix:
            await send(f"{len(stream.prefix):x}\r\n".encode())
            await _send_pieces(stream.prefix, send)
            await send(b"\r\n")
        await _relay_chunks(reader, send)
        return
    await _send_pieces(stream.prefix, send)
    if stream.framing == "length":
        await _copy(reader, stream.left, send)
        return
    while data := await reader.read(COPY_PIECE):
        await send(data)


async def _send_pieces(data: bytes, send: Callable[[bytes], Awaitable[None]]) -> None:
    """``data`` in pieces, so that no buffer downstream holds a copy of all of it."""
    view = memoryview(data)
    for start in range(0, len(data), COPY_PIECE):
        await send(bytes(view[start : start + COPY_PIECE]))


async def _relay_chunks(
    reader: asyncio.StreamReader, send: Callable[[bytes], Awaitable[None]]
) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        await send(size_line)
        size = _chunk_size(size_line)
        if size == 0:
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                await send(line)
            await send(line)
            return
        await _copy(reader, size + 2, send)  # the data and its CRLF


async def _copy(
    reader: asyncio.StreamReader, count: int, send: Callable[[bytes], Awaitable[None]]
) -> None:
    while count > 0:
        data = await reader.read(min(count, COPY_PIECE))
        if not data:
            raise WireError("upstream closed in the middle of a body")
        await send(data)
        count -= len(data)


def _content_length(message: Message) -> int | None:
    length = message.header("content-length")
    if length is None:
        return None
    if not length.strip().isdigit():
        raise WireError(f"bad Content-Length {length!r}")
    return int(length)


def _has_body(message: Message) -> bool:
    length = message.header("content-length")
    return bool(message.header("transfer-encoding")) or (length is not None and length != "0")


async def _read_head(reader: asyncio.StreamReader) -> Message | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise WireError("connection closed in the middle of a message head") from None
    except asyncio.LimitOverrunError:
        raise WireError("message head too long") from None
    lines = raw.decode("latin-1").split("\r\n")
    headers = [_header(line) for line in lines[1:] if line]
    return Message(lines[0], headers)


def _header(line: str) -> tuple[str, str]:
    name, sep, value = line.partition(":")
    if not sep:
        raise WireError(f"malformed header line {line!r}")
    return name.strip(), value.strip()


async def _read_body(
    reader: asyncio.StreamReader,
    message: Message,
    *,
    allow_until_close: bool,
    limit: int | None = None,
) -> bytes:
    """The whole body; past ``limit`` only what was read, the rest left in ``message.stream``."""
    bound = (1 << 62) if limit is None else limit
    if "chunked" in (message.header("transfer-encoding") or "").lower():
        body, complete = await _read_chunked(reader, bound)
        message.stream = None if complete else BodyStream("chunked", body)
        return b"" if message.stream else body
    length = _content_length(message)
    if length is not None and length > bound:
        message.stream = BodyStream("length", left=length)
        return b""
    if length is not None:
        return await reader.readexactly(length)
    if allow_until_close:
        message.until_close = True
        return await _read_until_close(reader, message, bound)
    return b""


async def _read_until_close(reader: asyncio.StreamReader, message: Message, bound: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while data := await reader.read(COPY_PIECE):
        parts.append(data)
        total += len(data)
        if total > bound:
            message.stream = BodyStream("close", b"".join(parts))
            return b""
    return b"".join(parts)


async def _read_chunked(reader: asyncio.StreamReader, bound: int) -> tuple[bytes, bool]:
    """The chunks' data joined, and whether the body ended (False: stopped past ``bound``)."""
    parts: list[bytes] = []
    total = 0
    while True:
        size = _chunk_size(await reader.readuntil(b"\r\n"))
        if size == 0:
            await _skip_trailers(reader)
            return b"".join(parts), True
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
        total += size
        if total > bound:
            return b"".join(parts), False


def _chunk_size(size_line: bytes) -> int:
    try:
        return int(size_line.split(b";", 1)[0].strip() or b"0", 16)
    except ValueError:
        raise WireError(f"bad chunk size line {size_line[:40]!r}") from None


async def _skip_trailers(reader: asyncio.StreamReader) -> None:
    while (await reader.readuntil(b"\r\n")) != b"\r\n":
        pass


def simple_response(status: int, reason: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body
