"""Toxic definitions: types, default attributes, validation, the JSON shape Toxiproxy uses.

TCP toxics (any proxy): latency, bandwidth, slow_close, timeout, reset_peer, slicer,
limit_data, noop. HTTP toxics (proxies with ``protocol: http``): http_error, blackhole,
feed_corrupt. Attributes a type does not know are dropped, as Toxiproxy drops them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosml.proxy.errors import BAD_REQUEST_BODY, INVALID_STREAM, INVALID_TOXIC_TYPE, ApiError

if TYPE_CHECKING:  # the feed corruptor (pydantic, ~100 ms) loads with the first feed_corrupt toxic
    from chaosml.feed import CorruptionSpec

STREAMS = ("upstream", "downstream")

TCP_DEFAULTS: dict[str, dict[str, Any]] = {
    "latency": {"latency": 0, "jitter": 0},
    "bandwidth": {"rate": 0},
    "slow_close": {"delay": 0},
    "timeout": {"timeout": 0},
    "reset_peer": {"timeout": 0},
    "slicer": {"average_size": 0, "size_variation": 0, "delay": 0},
    "limit_data": {"bytes": 0},
    "noop": {},
}
HTTP_DEFAULTS: dict[str, dict[str, Any]] = {
    "http_error": {"status": 503, "percent": 100, "path": "", "body": ""},
    "blackhole": {"path": "^/metrics", "mode": "empty"},
    "feed_corrupt": {"path": ""},
}
TOXIC_DEFAULTS = {**TCP_DEFAULTS, **HTTP_DEFAULTS}
_TEXT_ATTRIBUTES = {"path", "body", "mode", "fields", "value", "to"}
LEASE_ATTRIBUTE = "chaosml_expires_at"  # any toxic may carry a lease (proxy/leases.py)


@dataclass
class Toxic:
    """One toxic on one proxy, as the API shows it."""

    name: str
    type: str
    stream: str = "downstream"
    toxicity: float = 1.0
    attributes: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)  # what it did (evidence), chaosml only

    def to_json(self) -> dict[str, Any]:
        shown = {
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": self.toxicity,
            "attributes": dict(self.attributes),
        }
        return {**shown, "stats": dict(self.stats)} if self.stats else shown

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def number(self, key: str) -> float:
        return float(self.attributes.get(key, 0) or 0)

    @property
    def is_http(self) -> bool:
        return self.type in HTTP_DEFAULTS


def toxic_from_json(raw: Any) -> Toxic:
    """A new toxic from a create request; raises ApiError(400) on bad input."""
    if not isinstance(raw, dict):
        raise BAD_REQUEST_BODY.joined("expected a JSON object")
    kind = raw.get("type")
    if kind not in TOXIC_DEFAULTS:
        raise INVALID_TOXIC_TYPE
    stream = raw.get("stream") or "downstream"
    name = raw.get("name") or f"{kind}_{stream}"
    attributes = {**TOXIC_DEFAULTS[kind], **_known(str(kind), _attributes_of(raw))}
    toxic = Toxic(
        str(name), str(kind), str(stream), _toxicity(raw.get("toxicity", 1.0)), attributes
    )
    validate(toxic)
    return toxic


def updated(toxic: Toxic, raw: Any) -> Toxic:
    """``toxic`` with the attributes and toxicity of an update request merged in."""
    if not isinstance(raw, dict):
        raise BAD_REQUEST_BODY.joined("expected a JSON object")
    attributes = {**toxic.attributes, **_known(toxic.type, _attributes_of(raw))}
    toxicity = _toxicity(raw.get("toxicity", toxic.toxicity))
    new = Toxic(toxic.name, toxic.type, toxic.stream, toxicity, attributes)
    validate(new)
    return new


def renews_only(old: Toxic, new: Toxic) -> bool:
    """``new`` differs from ``old`` in its lease alone (a renewal: the toxic's state stays)."""
    if LEASE_ATTRIBUTE not in new.attributes:
        return False
    rest = {k: v for k, v in new.attributes.items() if k != LEASE_ATTRIBUTE}
    kept = {k: v for k, v in old.attributes.items() if k != LEASE_ATTRIBUTE}
    return rest == kept and (old.type, old.stream, old.toxicity) == (
        new.type,
        new.stream,
        new.toxicity,
    )


def _attributes_of(raw: dict[str, Any]) -> dict[str, Any]:
    attributes = raw.get("attributes")
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise BAD_REQUEST_BODY.joined("attributes must be an object")
    return attributes


def _known(kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes ``kind`` has (feed_corrupt's are checked by its own spec)."""
    if kind == "feed_corrupt":
        return attributes
    known = TOXIC_DEFAULTS[kind]
    return {k: v for k, v in attributes.items() if k in known or k == LEASE_ATTRIBUTE}


def _toxicity(raw: Any) -> float:
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if not number or not 0 <= raw <= 1:  # NaN fails the comparison too
        raise BAD_REQUEST_BODY.joined("toxicity must be a number between 0 and 1")
    return float(raw)


def validate(toxic: Toxic) -> None:
    """Raise ApiError(400) when the toxic's stream or attributes make no sense."""
    if toxic.stream not in STREAMS:
        raise INVALID_STREAM
    for key, value in toxic.attributes.items():
        if key in _TEXT_ATTRIBUTES or toxic.type == "feed_corrupt":
            continue
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or value < 0:
            raise BAD_REQUEST_BODY.joined(f"attribute {key!r} must be a finite number >= 0")
    _validate_http(toxic)


def _validate_http(toxic: Toxic) -> None:
    try:
        re.compile(str(toxic.attributes.get("path") or ""))
    except re.error as exc:
        raise BAD_REQUEST_BODY.joined(f"path is not a regular expression: {exc}") from None
    if toxic.type == "feed_corrupt":
        corruption_spec(toxic)
    if toxic.type == "blackhole" and toxic.attributes.get("mode") not in {"empty", "hang"}:
        raise BAD_REQUEST_BODY.joined("blackhole mode must be 'empty' or 'hang'")


def corruption_spec(toxic: Toxic) -> CorruptionSpec:
    from pydantic import ValidationError

    from chaosml.feed import CorruptionSpec

    spec_fields = {k: v for k, v in toxic.attributes.items() if k not in ("path", LEASE_ATTRIBUTE)}
    try:
        return CorruptionSpec.model_validate(spec_fields)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ApiError(f"bad request body: {detail}", 400) from None
