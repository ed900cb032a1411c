"""Leases: how long a toxic's lease is, and the proxy removing only expired toxics."""

from __future__ import annotations

from chaosml.proxy.collection import ProxyCollection, proxy_from_json
from chaosml.proxy.leases import sweep
from chaosml.proxy.toxics import LEASE_ATTRIBUTE, corruption_spec, toxic_from_json, updated
from chaosml.watchdog.lease import DEFAULT_LEASE_S, lease_seconds, leased


def test_the_lease_comes_from_the_environment_within_bounds() -> None:
    assert lease_seconds({}) == DEFAULT_LEASE_S
    assert lease_seconds({"CHAOSML_LEASE_SECONDS": "2.5"}) == 2.5
    assert lease_seconds({"CHAOSML_LEASE_SECONDS": "0.01"}) == 0.5
    assert lease_seconds({"CHAOSML_LEASE_SECONDS": "soon"}) == DEFAULT_LEASE_S
    assert lease_seconds({"CHAOSML_LEASE_SECONDS": "nan"}) == DEFAULT_LEASE_S


def test_a_leased_toxic_keeps_its_other_attributes() -> None:
    body = leased({"name": "t", "type": "latency", "attributes": {"latency": 5}})
    assert body["attributes"]["latency"] == 5 and body["attributes"][LEASE_ATTRIBUTE] > 0


def test_the_proxy_keeps_the_lease_attribute_on_every_toxic_type() -> None:
    tcp = toxic_from_json({"type": "latency", "attributes": {LEASE_ATTRIBUTE: 5.0, "x": 1}})
    assert tcp.attributes == {"latency": 0, "jitter": 0, LEASE_ATTRIBUTE: 5.0}
    feed = toxic_from_json(
        {"type": "feed_corrupt", "attributes": {"mode": "nan", "fields": ["x"], LEASE_ATTRIBUTE: 1}}
    )
    assert corruption_spec(feed).mode == "nan"  # the lease is no corruption knob


def test_only_expired_toxics_are_swept() -> None:
    collection = ProxyCollection()
    proxy = proxy_from_json({"name": "p", "upstream": "127.0.0.1:9"})
    collection.proxies["p"] = proxy
    for name, lease in (("old", 99.0), ("fresh", 200.0), ("none", None), ("zero", 0)):
        attributes = {} if lease is None else {LEASE_ATTRIBUTE: lease}
        proxy.add_toxic(toxic_from_json({"name": name, "type": "noop", "attributes": attributes}))
    assert sweep(collection, now=100.0) == [("p", "old")]
    assert sorted(proxy.toxics) == ["fresh", "none", "zero"]


def test_renewing_a_lease_keeps_the_toxics_state() -> None:
    """A stale feed keeps serving the response it froze: a renewal is not a new toxic."""
    proxy = proxy_from_json({"name": "p", "upstream": "127.0.0.1:9", "protocol": "http"})
    attributes = {"mode": "stale", "fields": ["x"], LEASE_ATTRIBUTE: 10.0}
    proxy.add_toxic(
        toxic_from_json({"name": "s", "type": "feed_corrupt", "attributes": attributes})
    )
    corruptor, version = proxy.corruptor(proxy.toxic("s")), proxy.version
    renewal = updated(proxy.toxic("s"), {"attributes": {LEASE_ATTRIBUTE: 20.0}})
    proxy.replace_toxic(renewal)
    assert proxy.toxic("s").attributes[LEASE_ATTRIBUTE] == 20.0
    assert proxy.corruptor(proxy.toxic("s")) is corruptor and proxy.version == version
    changed = updated(proxy.toxic("s"), {"attributes": {"mode": "nan"}})
    proxy.replace_toxic(changed)
    assert proxy.corruptor(proxy.toxic("s")) is not corruptor
