"""Undo and redo what HTTP puts around a JSON body: Content-Encoding, charset, byte-order mark.

``decode_body`` turns a response body into text (gzip, x-gzip, deflate — zlib or raw — and br
decoded; the charset of the Content-Type applied; a BOM noted and stripped), ``encode_body``
turns the rewritten text back into bytes the same way (same encodings, same charset, same BOM;
gzip written with mtime 0 so the same text gives the same bytes). Anything that cannot be
decoded is a ``Skipped`` with a short reason the evidence counts ("gzip-undecodable", "too
large", "encoding zstd"). Bodies are bounded: more than ``MAX_BODY_BYTES`` on the wire or once
decoded is "too large" and passes through untouched.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

import brotli

MAX_BODY_BYTES = 8 * 1024 * 1024
BOM = "\ufeff"


class Skipped(Exception):
    """A body left untouched; ``reason`` is the counter it goes under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DecodedBody:
    text: str
    media_type: str
    charset: str
    encodings: tuple[str, ...]  # as sent, outermost last (the order they were applied)
    bom: bool
    zlib_wbits: int = 15  # deflate: 15 (zlib wrapper) or -15 (raw)


def media_type_of(content_type: str | None) -> tuple[str, str]:
    """The media type and charset of a Content-Type (charset defaults to utf-8)."""
    media, *params = (content_type or "").split(";")
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def decode_body(body: bytes, content_encoding: str | None, content_type: str | None) -> DecodedBody:
    if len(body) > MAX_BODY_BYTES:
        raise Skipped("too large")
    encodings = tuple(e.strip().lower() for e in (content_encoding or "").split(",") if e.strip())
    encodings = tuple(e for e in encodings if e != "identity")
    raw, wbits = body, 15
    for encoding in reversed(encodings):
        raw, wbits = _decompress(raw, encoding)
    media, charset = media_type_of(content_type)
    try:
        text = raw.decode(charset)
    except LookupError:
        raise Skipped(f"charset {charset}") from None
    except UnicodeDecodeError:
        raise Skipped("not text") from None
    bom = text.startswith(BOM)
    return DecodedBody(text.removeprefix(BOM), media, charset, encodings, bom, wbits)


def encode_body(text: str, decoded: DecodedBody) -> bytes:
    data = ((BOM if decoded.bom else "") + text).encode(decoded.charset, "surrogateescape")
    for encoding in decoded.encodings:
        data = _compress(data, encoding, decoded.zlib_wbits)
    return data


def _decompress(data: bytes, encoding: str) -> tuple[bytes, int]:
    try:
        if encoding in {"gzip", "x-gzip"}:
            return _zlib_bounded(data, 31), 31
        if encoding == "deflate":
            return _deflate(data)
        if encoding == "br":
            return _brotli_bounded(data), 15
    except (OSError, zlib.error, brotli.error, EOFError):
        raise Skipped(f"{encoding}-undecodable") from None
    raise Skipped(f"encoding {encoding}")


def _deflate(data: bytes) -> tuple[bytes, int]:
    """``deflate`` is meant to be zlib-wrapped; some servers send it raw: accept both."""
    try:
        return _zlib_bounded(data, 15), 15
    except zlib.error:
        return _zlib_bounded(data, -15), -15


def _zlib_bounded(data: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(data, MAX_BODY_BYTES + 1)
    if len(out) > MAX_BODY_BYTES:
        raise Skipped("too large")
    if not inflater.eof:
        raise zlib.error("truncated stream")
    return out


def _brotli_bounded(data: bytes) -> bytes:
    decompressor = brotli.Decompressor()
    limit = {"output_buffer_limit": MAX_BODY_BYTES + 1}  # brotli >= 1.2; stubs lag
    out = decompressor.process(data, **limit)
    if len(out) > MAX_BODY_BYTES:
        raise Skipped("too large")
    if not decompressor.is_finished():
        raise brotli.error("truncated stream")
    return out


def _compress(data: bytes, encoding: str, wbits: int) -> bytes:
    if encoding in {"gzip", "x-gzip"}:
        return gzip.compress(data, mtime=0)
    if encoding == "deflate":
        deflater = zlib.compressobj(wbits=wbits)
        return deflater.compress(data) + deflater.flush()
    return brotli.compress(data)
