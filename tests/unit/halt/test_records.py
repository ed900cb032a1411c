"""Halt records: who, where, when, why; old plain-text halt files still halt."""

from __future__ import annotations

import json
from pathlib import Path

from chaosml.halt.file_source import FileSource
from chaosml.halt.record import HaltRecord, from_text, new_record


def test_a_plain_text_halt_file_is_a_halt_with_its_text_as_reason() -> None:
    record = from_text("stop now\n")
    assert record is not None and record.reason == "stop now"


def test_a_cleared_record_is_no_halt() -> None:
    assert from_text(json.dumps({"halted": False, "cleared_by": {}})) is None


def test_a_new_record_says_who_where_and_when() -> None:
    record = new_record("incident 7")
    assert record.user and record.host and record.at.endswith("Z")
    assert record.describe().startswith("'incident 7' (by ")


def test_describe_without_origin_is_the_reason() -> None:
    assert HaltRecord(reason="x").describe() == "'x'"


def test_the_machine_file_is_writable_by_every_account(tmp_path: Path) -> None:
    source = FileSource(tmp_path / "HALT", scope="machine", shared=True)
    source.set(new_record("all hands"))
    assert (tmp_path / "HALT").stat().st_mode & 0o777 == 0o666
    read = source.read()
    assert read is not None and read.reason == "all hands"
    assert source.clear() is True and source.read() is None
    assert source.clear() is False


def test_a_password_in_a_halt_url_is_masked_everywhere() -> None:
    from chaosml import redaction
    from chaosml.halt.urls import source_for

    source = source_for("https://ops:s3cret-pw@halt.example/halt")
    assert "s3cret-pw" not in source.where
    assert "s3cret-pw" not in str(redaction.scrub("GET https://ops:s3cret-pw@halt.example failed"))
