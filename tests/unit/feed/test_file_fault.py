"""feed.corrupt file mode: corrupt in place, restore from the snapshot, refuse a bad snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.feed_driver import FeedCorrupt, FeedCorruptParams
from chaosml.errors import DriverError


@pytest.fixture
def feature_file(tmp_path: Path) -> Path:
    path = tmp_path / "features.jsonl"
    path.write_text("".join(json.dumps({"id": i, "age": 30 + i}) + "\n" for i in range(100)))
    return path


def ctx(tmp_path: Path) -> DriverContext:
    return DriverContext(run_id="run1", state_dir=str(tmp_path / "state"), seed=4)


def test_corrupt_then_restore_in_a_new_process(feature_file: Path, tmp_path: Path) -> None:
    original = feature_file.read_bytes()
    params = FeedCorruptParams(file=str(feature_file), mode="null", fields=["age"], percent=50)
    driver = FeedCorrupt()
    record = driver.plan(params, ctx(tmp_path))
    assert record.data["file"] == str(feature_file.resolve())
    driver.apply(params, ctx(tmp_path))
    corrupted = feature_file.read_text().splitlines()
    nulls = sum(json.loads(line)["age"] is None for line in corrupted)
    assert 25 < nulls < 75
    replayed = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    FeedCorrupt().undo(replayed, ctx(tmp_path))
    assert feature_file.read_bytes() == original
    FeedCorrupt().undo(replayed, ctx(tmp_path))  # idempotent
    assert feature_file.read_bytes() == original


def test_undo_refuses_a_snapshot_whose_checksum_does_not_match(
    feature_file: Path, tmp_path: Path
) -> None:
    params = FeedCorruptParams(file=str(feature_file), mode="nan", fields=["age"])
    driver = FeedCorrupt()
    record = driver.plan(params, ctx(tmp_path))
    driver.apply(params, ctx(tmp_path))
    corrupted = feature_file.read_bytes()
    Path(record.data["snapshot"]).write_text("tampered\n")
    with pytest.raises(DriverError, match="does not match"):
        driver.undo(record, ctx(tmp_path))
    assert feature_file.read_bytes() == corrupted


def test_undo_before_apply_is_a_no_op(feature_file: Path, tmp_path: Path) -> None:
    params = FeedCorruptParams(file=str(feature_file), mode="nan", fields=["age"])
    original = feature_file.read_bytes()
    record = FeedCorrupt().plan(params, ctx(tmp_path))
    FeedCorrupt().undo(record, ctx(tmp_path))
    assert feature_file.read_bytes() == original  # nothing was corrupted: nothing restored
    assert not Path(record.data["snapshot"]).exists()


def test_csv_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,age\n" + "".join(f"{i},{i}\n" for i in range(50)))
    original = path.read_bytes()
    params = FeedCorruptParams(file=str(path), mode="scale", fields=["age"], factor=10)
    driver = FeedCorrupt()
    record = driver.plan(params, ctx(tmp_path))
    driver.apply(params, ctx(tmp_path))
    assert path.read_bytes() != original
    driver.undo(record, ctx(tmp_path))
    assert path.read_bytes() == original


def test_params_need_exactly_one_target() -> None:
    with pytest.raises(ValueError):
        FeedCorruptParams(mode="nan", fields=["a"])
    with pytest.raises(ValueError):
        FeedCorruptParams(file="x.parquet", mode="nan", fields=["a"])
