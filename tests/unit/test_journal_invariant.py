"""The suite-wide check that no journal holds a negative time to detect finds one (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.journal_checks import negative_times_to_detect


def _write(path: Path, *events: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def test_a_negative_time_to_detect_anywhere_in_a_journal_is_found(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"  # not the test's own tmp_path root: the fixture would fail it
    _write(scratch / "ok.jsonl", {"event": "alert.fired", "time_to_detect_s": 0.97})
    _write(
        scratch / "deep" / "bad.jsonl",
        {"event": "run.start"},
        {"event": "run.end", "summary": {"alerts": [{"time_to_detect_s": -2.399}]}},
    )
    found = negative_times_to_detect(scratch)
    assert len(found) == 1
    assert "bad.jsonl:2" in found[0] and "-2.399" in found[0]
    (scratch / "deep" / "bad.jsonl").unlink()
    assert negative_times_to_detect(tmp_path) == []
