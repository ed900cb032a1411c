"""``feed_corrupt`` on one HTTP response body: decode it, corrupt its records, encode it back.

JSON bodies (any ``+json`` or ``json`` media type, with or without a charset or a BOM) are one
document; ``application/x-ndjson`` (and the JSON Lines types) are one record per line, as is a
JSON body that only parses line by line. The outcome says what happened, for the evidence: a
JSON body or not, records seen and changed, or why the body was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosml.proxy.body_codec import Skipped, decode_body, encode_body

if TYPE_CHECKING:  # the feed corruptor loads with the first feed_corrupt toxic (toxics.py)
    from chaosml.feed import FeedCorruptor

NDJSON_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
        "application/json-lines",
    }
)


@dataclass(frozen=True)
class BodyOutcome:
    body: bytes | None  # the rewritten body; None: leave it as it was
    json: bool = False
    records: int = 0
    changed: int = 0
    fields: int = 0  # fields changed in the changed records
    skipped: str | None = None  # why the body was not corrupted ("non-JSON", "gzip-undecodable")
    slice_records: int | None = None  # records the where: predicates selected (None: no where)


def corrupt_response_body(
    body: bytes, content_encoding: str | None, content_type: str | None, corruptor: FeedCorruptor
) -> BodyOutcome:
    if not body:
        return BodyOutcome(None, skipped="no body")
    try:
        decoded = decode_body(body, content_encoding, content_type)
    except Skipped as skipped:
        return BodyOutcome(None, skipped=skipped.reason)
    documents, records, fields, in_slice = (
        corruptor.documents,
        corruptor.records_seen,
        corruptor.fields_changed,
        corruptor.slice_records,
    )
    result = _corrupt_text(decoded.text, decoded.media_type, corruptor)
    seen = corruptor.records_seen - records
    if result is None or corruptor.documents == documents:
        return BodyOutcome(None, skipped="non-JSON")
    text, changed = result
    new_body = encode_body(text, decoded) if changed else None
    sliced = corruptor.slice_records - in_slice if corruptor.spec.where else None
    return BodyOutcome(
        new_body, True, seen, changed, corruptor.fields_changed - fields, None, sliced
    )


def _corrupt_text(text: str, media_type: str, corruptor: FeedCorruptor) -> tuple[str, int] | None:
    from chaosml.feed.files import corrupt_jsonl

    if media_type in NDJSON_TYPES:
        return corrupt_jsonl(text, corruptor)
    result = corruptor.corrupt_bytes(text.encode())
    if result is not None:
        return result[0].decode("utf-8", "surrogateescape"), result[1]
    if "\n" in text.strip():  # JSON Lines sent as application/json
        return corrupt_jsonl(text, corruptor)
    return None
