"""feed_corrupt through the real proxy on a real feature service answering gzip, deflate, br,
chunked, NDJSON, a charset and a BOM: the stated share of records changes, the client decodes
the result, the same seed gives the same bytes, and what could not be parsed is counted."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fixtures.encoded_feeds import RECORDS, changed_records, port_of
from tests.fixtures.proxy_env import ProxyProcess

NAN_HALF = {"mode": "nan", "fields": ["$.records[*].age", "$.age"], "percent": 50, "seed": 7}


@pytest.fixture
def feed_proxy(proxy_process: ProxyProcess, encoded_feed: str) -> tuple[ProxyProcess, str]:
    port = proxy_process.create("features", port_of(encoded_feed), protocol="http")
    return proxy_process, f"http://127.0.0.1:{port}"


def add_corruption(proxy: ProxyProcess, attributes: dict[str, Any] = NAN_HALF) -> None:
    toxic = {"name": "fc", "type": "feed_corrupt", "attributes": attributes}
    proxy.add_toxic("features", toxic)


def stats(proxy: ProxyProcess) -> dict[str, int]:
    reply = requests.get(f"{proxy.api_url}/proxies/features", timeout=5).json()
    found: dict[str, int] = next(t for t in reply["toxics"] if t["name"] == "fc").get("stats", {})
    return found


def assert_half_changed(got: list[dict[str, Any]]) -> list[int]:
    changed = changed_records(got)
    assert all(math.isnan(got[i]["age"]) for i in changed)
    share = len(changed) / len(got)
    assert abs(share - 0.5) <= 5 * math.sqrt(0.25 / len(got)), share
    return changed


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_encoded_json_is_decoded_corrupted_and_re_encoded(feed_proxy, encoding: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    reply = requests.get(f"{base}/enc/{encoding}", timeout=10, stream=True)
    raw = reply.raw.read(decode_content=False)
    assert reply.headers["Content-Encoding"] == encoding  # the header is kept
    assert int(reply.headers["Content-Length"]) == len(raw)
    got = json.loads(_decode(raw, encoding))
    changed = assert_half_changed(got["records"])
    assert stats(proxy) == {
        "responses": 1,
        "json_bodies": 1,
        "records": RECORDS,
        "records_changed": len(changed),
        "fields_changed": len(changed),  # one field (age) in each
    }
    # and requests, as any client, decodes the corrupted body itself
    decoded = requests.get(f"{base}/enc/{encoding}", timeout=10).json()["records"]
    assert len(decoded) == RECORDS and changed_records(decoded)


def _decode(raw: bytes, encoding: str) -> bytes:
    import gzip
    import zlib

    import brotli

    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return bytes(brotli.decompress(raw))


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_same_seed_gives_the_same_bytes(feed_proxy, encoding: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    bodies = []
    for _ in range(2):
        add_corruption(proxy)
        reply = requests.get(f"{base}/enc/{encoding}", timeout=10, stream=True)
        bodies.append(reply.raw.read(decode_content=False))
        proxy.remove_toxic("features", "fc")
    assert bodies[0] == bodies[1]
    clean = requests.get(f"{base}/enc/{encoding}", timeout=10, stream=True)
    assert clean.raw.read(decode_content=False) != bodies[0]


@pytest.mark.parametrize("endpoint", ["/chunked", "/chunked-gzip", "/bom", "/charset"])
def test_chunked_charset_and_bom_bodies_are_corrupted(feed_proxy, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    reply = requests.get(base + endpoint, timeout=10)
    assert "chunked" not in reply.headers.get("Transfer-Encoding", "")
    text = reply.content.decode("utf-8")
    if endpoint == "/bom":
        assert text.startswith("\ufeff")  # the BOM is kept
    assert_half_changed(json.loads(text.removeprefix("\ufeff"))["records"])
    assert stats(proxy)["json_bodies"] == 1


def test_ndjson_is_corrupted_record_per_line(feed_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    reply = requests.get(f"{base}/ndjson", timeout=10)
    lines = reply.content.decode().splitlines()
    assert len(lines) == RECORDS and reply.content.endswith(b"\n")
    changed = assert_half_changed([json.loads(line) for line in lines])
    assert stats(proxy)["records"] == RECORDS
    assert stats(proxy)["records_changed"] == len(changed)


def test_bodies_it_cannot_parse_are_counted_by_reason(feed_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    assert requests.get(f"{base}/text", timeout=5).content == b"plain text, not json"
    bad = requests.get(f"{base}/bad-gzip", timeout=5, stream=True)
    assert bad.raw.read(decode_content=False) == b"\x1f\x8bnot really gzip"
    assert stats(proxy) == {
        "responses": 2,
        "skipped:non-JSON": 1,
        "skipped:gzip-undecodable": 1,
    }


@pytest.mark.parametrize("endpoint", ["/big", "/big-chunked", "/big-close"])
def test_a_body_above_the_bound_passes_through_counted_too_large(feed_proxy, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    reply = requests.get(f"{base}{endpoint}?mb=9", timeout=30)
    records = reply.json()["records"]
    assert len(records) > 100_000 and not any(math.isnan(r["age"]) for r in records)
    assert stats(proxy) == {"responses": 1, "skipped:too large": 1}


def _exchange(base: str, payload: bytes) -> bytes:
    """Send ``payload`` on one raw connection; everything the proxy answers until it closes."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(1 << 16):
            chunks.append(data)
    return b"".join(chunks)


def test_pipelined_keep_alive_requests_are_each_corrupted(feed_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    one = b"GET /enc/gzip HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /ndjson HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = _exchange(base, one + one + last)
    assert answer.count(b"HTTP/1.0 200") + answer.count(b"HTTP/1.1 200") == 3
    assert stats(proxy)["json_bodies"] == 3 and stats(proxy)["records"] == 3 * RECORDS


def test_http_10_request_is_corrupted_and_closed(feed_proxy) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    answer = _exchange(base, b"GET /charset HTTP/1.0\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(body)}".encode() in head
    assert_half_changed(json.loads(body)["records"])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize("endpoint", ["/big", "/big-chunked"])
def test_the_proxy_holds_a_large_body_within_the_bound(feed_proxy, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    proxy, base = feed_proxy
    add_corruption(proxy)
    requests.get(f"{base}/enc/gzip", timeout=10)  # warm up: the code paths are loaded
    before = _peak_rss_mb(proxy.process.pid)
    with requests.get(f"{base}{endpoint}?mb=64", timeout=60, stream=True) as reply:
        size = sum(len(piece) for piece in reply.iter_content(1 << 20))
    assert size > 64 * 1024 * 1024
    growth = _peak_rss_mb(proxy.process.pid) - before
    assert growth < 8 + 16, f"the proxy's peak memory grew {growth:.0f} MB for a 64 MB body"
