"""File mode text corruption: CSV and JSONL, untouched lines byte-identical."""

from __future__ import annotations

import json
import math

from chaosml.feed import CorruptionSpec, FeedCorruptor
from chaosml.feed.files import corrupt_text


def test_jsonl_changes_chosen_lines_and_keeps_the_rest_byte_identical() -> None:
    lines = [json.dumps({"id": i, "age": i}) + "\n" for i in range(200)]
    spec = CorruptionSpec(mode="null", fields=["age"], percent=50, seed=1)
    text, changed = corrupt_text("".join(lines), ".jsonl", FeedCorruptor(spec))
    out = text.splitlines(keepends=True)
    assert len(out) == 200
    differing = [i for i in range(200) if out[i] != lines[i]]
    assert len(differing) == changed and 60 < changed < 140
    assert all(json.loads(out[i])["age"] is None for i in differing)


def test_csv_numbers_are_corrupted_as_numbers() -> None:
    text = "id,age,city\n" + "".join(f"{i},{20 + i},x\n" for i in range(100))
    spec = CorruptionSpec(mode="scale", fields=["age"], factor=10, percent=100)
    out, changed = corrupt_text(text, ".csv", FeedCorruptor(spec))
    rows = out.splitlines()
    assert changed == 100 and rows[0] == "id,age,city"
    assert rows[1].split(",")[0] == "0" and float(rows[1].split(",")[1]) == 200


def test_csv_nan_and_rename() -> None:
    text = "id,age\n1,5\n2,6\n"
    out, _ = corrupt_text(text, ".csv", FeedCorruptor(CorruptionSpec(mode="nan", fields=["age"])))
    assert out == "id,age\n1,nan\n2,nan\n"
    assert math.isnan(float(out.splitlines()[1].split(",")[1]))
    out, _ = corrupt_text(
        text, ".csv", FeedCorruptor(CorruptionSpec(mode="rename_field", fields=["age"], to="AGE"))
    )
    assert out == "id,age,AGE\n1,,5\n2,,6\n"
