import json
import math
import os
from pathlib import Path

from chaosml.demo.feature_store import FeatureTable, parse_cell, read_rows

HEADER = "entity_id,age,income,tenure_months,txn_count_30d,debt_ratio\n"


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def bump_mtime(path: Path) -> None:
    """Make a rewrite visible even on a filesystem with coarse timestamps."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_csv_cells_keep_what_they_stand_for() -> None:
    assert parse_cell("41.5") == 41.5
    assert math.isnan(parse_cell("nan"))
    assert parse_cell("inf") == math.inf
    assert parse_cell("") is None
    assert parse_cell("null") is None
    assert parse_cell("forty") == "forty"


def test_csv_rows_by_entity(tmp_path: Path) -> None:
    data = tmp_path / "f.csv"
    write(data, HEADER + "7,41,50000,12,3,0.3\n8,nan,,x,3,0.3\n")
    rows = {r.entity_id: r for r in read_rows(data)}
    assert rows[7].features["age"] == 41.0
    assert rows[7].generated_at is None
    assert math.isnan(rows[8].features["age"])
    assert rows[8].features["income"] is None
    assert rows[8].features["tenure_months"] == "x"


def test_csv_generated_at_column_is_metadata(tmp_path: Path) -> None:
    data = tmp_path / "f.csv"
    write(data, "entity_id,age,generated_at\n1,30,1700000000\n2,31,2023-11-14T22:13:20Z\n")
    rows = read_rows(data)
    assert [r.generated_at for r in rows] == [1700000000.0, 1700000000.0]
    assert rows[0].features == {"age": 30.0}


def test_jsonl_nested_and_flat_rows(tmp_path: Path) -> None:
    data = tmp_path / "f.jsonl"
    lines = [
        {"entity_id": 1, "features": {"age": 30, "income": None}, "generated_at": 5},
        {"entity_id": 2, "age": "thirty"},
    ]
    write(data, "\n".join(json.dumps(x) for x in lines) + "\n\n")
    rows = read_rows(data)
    assert rows[0].features == {"age": 30, "income": None}
    assert rows[0].generated_at == 5.0
    assert rows[1].features == {"age": "thirty"}


def test_table_rereads_the_file_when_it_changes(tmp_path: Path) -> None:
    data = tmp_path / "f.csv"
    write(data, HEADER + "7,41,50000,12,3,0.3\n")
    table = FeatureTable(data)
    assert table.get(7).features["age"] == 41.0  # type: ignore[union-attr]
    write(data, HEADER + "7,nan,50000,12,3,0.3\n")
    bump_mtime(data)
    assert math.isnan(table.get(7).features["age"])  # type: ignore[union-attr]
    assert table.reloads == 2


def test_table_keeps_the_last_good_rows_when_the_file_breaks(tmp_path: Path) -> None:
    data = tmp_path / "f.jsonl"
    write(data, '{"entity_id": 1, "age": 30}\n')
    table = FeatureTable(data)
    write(data, "{not json\n")
    bump_mtime(data)
    assert table.get(1) is not None
    assert table.last_error and "not JSON" in table.last_error
    data.unlink()
    assert table.get(1) is not None
