from __future__ import annotations

import pytest

from chaosml.feed.paths import find_slots, parse_path


def test_parse_forms() -> None:
    assert parse_path("$.a.b[*].c") == ("a", "b", "*", "c")
    assert parse_path("age") == ("age",)
    assert parse_path("$['odd key'][0]") == ("odd key", 0)
    with pytest.raises(ValueError):
        parse_path("$.a..b")


def test_records_come_from_list_wildcards() -> None:
    doc = {"records": [{"age": 1}, {"age": 2}], "features": {"x": 1, "y": 2}}
    assert [s.record for s in find_slots(doc, "$.records[*].age")] == [(0,), (1,)]
    assert [s.record for s in find_slots(doc, "$.features.*")] == [(), ()]
    assert find_slots(doc, "$.missing.*") == []
