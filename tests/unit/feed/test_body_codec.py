"""Decoding and re-encoding HTTP bodies for feed_corrupt: encodings, charsets, BOM, bounds."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest

from chaosml.feed import CorruptionSpec, FeedCorruptor
from chaosml.proxy.body_codec import MAX_BODY_BYTES, Skipped, decode_body, encode_body
from chaosml.proxy.feed_response import corrupt_response_body

DOC = json.dumps({"records": [{"age": i} for i in range(10)]}).encode()


def raw_deflate(data: bytes) -> bytes:
    deflater = zlib.compressobj(wbits=-15)
    return deflater.compress(data) + deflater.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda d: gzip.compress(d, mtime=0)),
        ("x-gzip", lambda d: gzip.compress(d, mtime=0)),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
        ("br", brotli.compress),
        ("gzip, br", lambda d: brotli.compress(gzip.compress(d, mtime=0))),
    ],
)
def test_every_encoding_round_trips(encoding: str, encode: object) -> None:
    body = encode(DOC)  # type: ignore[operator]
    decoded = decode_body(body, encoding, "application/json")
    assert decoded.text == DOC.decode()
    again = decode_body(encode_body(decoded.text, decoded), encoding, "application/json")
    assert again.text == DOC.decode()


@pytest.mark.parametrize(
    ("body", "encoding", "content_type", "reason"),
    [
        (b"\x1f\x8b\x08garbage", "gzip", None, "gzip-undecodable"),
        (gzip.compress(DOC, mtime=0)[:-8], "gzip", None, "gzip-undecodable"),  # truncated
        (b"not brotli", "br", None, "br-undecodable"),
        (DOC, "zstd", None, "encoding zstd"),
        (DOC, None, "application/json; charset=klingon", "charset klingon"),
        (b"\xff\xfe\xfa", None, "application/json", "not text"),
        (gzip.compress(b" " * (MAX_BODY_BYTES + 10), mtime=0), "gzip", None, "too large"),
        (brotli.compress(b" " * (MAX_BODY_BYTES + 10)), "br", None, "too large"),
    ],
)
def test_what_cannot_be_decoded_is_skipped_by_reason(
    body: bytes, encoding: str | None, content_type: str | None, reason: str
) -> None:
    with pytest.raises(Skipped) as skipped:
        decode_body(body, encoding, content_type)
    assert skipped.value.reason == reason


def test_a_charset_and_a_bom_are_kept() -> None:
    body = "\ufeff".encode("utf-16-le") + DOC.decode().encode("utf-16-le")
    corruptor = FeedCorruptor(CorruptionSpec(mode="null", fields=("$.records[*].age",)))
    outcome = corrupt_response_body(body, None, "application/json; charset=UTF-16LE", corruptor)
    assert outcome.body is not None and outcome.changed == 10
    assert outcome.body.startswith("\ufeff".encode("utf-16-le"))
    text = outcome.body.decode("utf-16-le").removeprefix("\ufeff")
    assert json.loads(text)["records"][0] == {"age": None}


def test_json_lines_sent_as_application_json_are_read_line_by_line() -> None:
    body = b'{"age": 1}\n{"age": 2}\n'
    corruptor = FeedCorruptor(CorruptionSpec(mode="null", fields=("age",)))
    outcome = corrupt_response_body(body, None, "application/json", corruptor)
    assert outcome.body == b'{"age":null}\n{"age":null}\n' and outcome.records == 2
