"""Slice-targeted ``feed.corrupt`` against the real thing: the real proxy in its own process, real
files, the real CLI (a ``where:`` field no record has is refused with its location, exit 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import requests

from chaosml.drivers.feed_driver import FeedCorrupt
from tests.fixtures.proxy_env import FeatureServer, ProxyProcess
from tests.integration.docker.cli import chaosml
from tests.integration.feed.test_fault_evidence import through

ROWS = 2000


def _within(changed: int, total: int, percent: float) -> bool:
    p = percent / 100
    return abs(changed - total * p) <= 5 * math.sqrt(total * p * (1 - p))


def test_proxy_corrupts_only_the_slice_and_reports_both_shares(
    proxy_process: ProxyProcess, feature_server: FeatureServer
) -> None:
    port = proxy_process.create("features", feature_server.port, protocol="http")
    base = f"http://127.0.0.1:{port}"
    ref = {"api": proxy_process.api_url, "name": "features"}
    where = {"field": "$.records[*].age", "below": 25}  # ages 20..24: 10% of the records
    raw = {"proxy": ref, "mode": "null", "fields": ["$.records[*].income"], "where": where}
    bodies: list[dict[str, list[dict[str, object]]]] = []
    found = through(
        FeedCorrupt(),
        {**raw, "percent": 100, "seed": 2},
        lambda: bodies.append(requests.get(f"{base}/features?n=100", timeout=5).json()),
    )
    records = bodies[0]["records"]
    nulled = [r["age"] for r in records if r["income"] is None]
    assert nulled and all(int(str(age)) < 25 for age in nulled)
    assert len(nulled) == sum(1 for r in records if int(str(r["age"])) < 25)
    assert found.effect
    assert "changed 10 of 100 records (10.0%) overall" in found.summary
    assert "within the slice 10 of 10 (100.0%)" in found.summary
    assert found.counters["slice_records"] == 10


def _features(path: Path) -> bytes:
    rows = [f"{i},{('DE', 'FR', 'ES', 'IT')[i % 4]},{1000 + i}\n" for i in range(ROWS)]
    path.write_text("id,country,income\n" + "".join(rows))
    return path.read_bytes()


def test_file_mode_slice_share_and_untouched_rows(tmp_path: Path) -> None:
    feed = tmp_path / "features.csv"
    original = _features(feed).splitlines()
    raw = {
        "file": str(feed),
        "mode": "clip",
        "high": 0,
        "fields": ["income"],
        "where": {"field": "country", "equals": "FR"},
        "percent": 50,
        "seed": 4,
    }
    seen: list[list[bytes]] = []
    found = through(FeedCorrupt(), raw, lambda: seen.append(feed.read_bytes().splitlines()))
    rows = seen[0]
    changed = [i for i in range(1, ROWS + 1) if rows[i] != original[i]]
    assert all(original[i].split(b",")[1] == b"FR" for i in changed)  # the rest byte-identical
    assert _within(len(changed), ROWS // 4, 50)
    assert found.counters["slice_records"] == ROWS // 4
    assert found.counters["slice_records_changed"] == len(changed)
    assert f"within the slice {len(changed)} of {ROWS // 4}" in found.summary
    assert "outside it 0 of 1500 (0.0%)" in found.summary
    assert feed.read_bytes().splitlines() == original  # restored


def test_same_seed_same_bytes_in_a_file(tmp_path: Path) -> None:
    feed = tmp_path / "features.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "city": "Zürich"}) + "\n" for i in range(300)))
    raw = {
        "file": str(feed),
        "mode": "broken_encoding",
        "encoding": "truncated_utf8",
        "fields": ["city"],
        "where": {"field": "id", "above": 99},
        "percent": 30,
    }

    def corrupted(seed: int) -> bytes:
        seen: list[bytes] = []
        through(FeedCorrupt(), {**raw, "seed": seed}, lambda: seen.append(feed.read_bytes()))
        return seen[0]

    first = corrupted(5)
    assert first == corrupted(5) and first != corrupted(6)
    lines = first.splitlines()
    assert all(line.decode() for line in lines[:100])  # outside the slice: valid UTF-8
    assert any(b"Z\xc3" + b'"' in line for line in lines[100:])  # raw, cut UTF-8 in the file


def test_where_on_a_field_no_record_has_is_refused_with_its_location(tmp_path: Path) -> None:
    feed = tmp_path / "features.csv"
    _features(feed)
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "version: 1\ntitle: t\nmethod:\n"
        f"  - fault: feed.corrupt\n    file: {feed}\n    mode: null\n    fields: [income]\n"
        "    where: {field: contry, equals: FR}\n"
    )
    for command in ("validate", "run"):
        done = (
            chaosml(command, str(exp), "--journal-dir", str(tmp_path))
            if command == "run"
            else chaosml(command, str(exp))
        )
        out = done.stdout + done.stderr
        assert done.returncode == 2, out
        assert "Traceback" not in out
        assert f"{exp}:8:" in out and "where[0].field 'contry': no record" in out, out
    assert not list(tmp_path.glob("*.jsonl"))
