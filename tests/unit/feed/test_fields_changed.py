"""The corruptor counts what it saw and the fields it really changed (evidence of effect)."""

from __future__ import annotations

import math

from chaosml.feed import CorruptionSpec, FeedCorruptor


def corruptor(mode: str, *fields: str) -> FeedCorruptor:
    return FeedCorruptor(CorruptionSpec.model_validate({"mode": mode, "fields": list(fields)}))


def test_fields_changed_counts_each_field_of_each_changed_record() -> None:
    c = corruptor("drop_field", "$.records[*].a", "$.records[*].b")
    doc = {"records": [{"a": 1, "b": 2}, {"a": 3}]}
    assert c.corrupt(doc) == 2
    assert (c.documents, c.records_seen, c.fields_changed) == (1, 2, 3)


def test_a_field_that_already_held_the_value_is_not_counted() -> None:
    c = corruptor("nan", "a", "b")
    doc = {"a": math.nan, "b": 1.0}
    assert c.corrupt(doc) == 1 and c.fields_changed == 1


def test_a_rename_counts_the_field() -> None:
    c = corruptor("rename_field", "a")
    doc = {"a": 1}
    assert c.corrupt(doc) == 1 and doc == {"a_renamed": 1} and c.fields_changed == 1
