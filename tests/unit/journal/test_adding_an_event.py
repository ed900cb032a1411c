"""Adding an event is one class: the writer writes it, the reader returns it, and the schema
and docs/journal.md list it (docs/journal.md, Adding an event)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import StrictStr

from chaosml.journal.base import EVENT_TYPES, JournalEvent
from chaosml.journal.events import RunStarted
from chaosml.journal.reader import load_events
from chaosml.journal.schema import journal_schema, render_doc
from chaosml.journal.writer import JournalWriter
from chaosml.redaction import Redactor


@pytest.fixture
def cache_flushed() -> Iterator[type[JournalEvent]]:
    class CacheFlushed(JournalEvent):
        """A cache was flushed."""

        event: Literal["cache.flushed"] = "cache.flushed"
        name: StrictStr = ""
        keys: int | None = None

    try:
        yield CacheFlushed
    finally:
        del EVENT_TYPES["cache.flushed"]  # the class lives only in this test


def test_a_new_event_class_is_written_read_and_documented(
    tmp_path: Path, cache_flushed: type[JournalEvent]
) -> None:
    seen: list[JournalEvent] = []
    journal = JournalWriter(tmp_path / "j.jsonl", "r1", Redactor(["hunter2"]), [seen.append])
    journal.write(RunStarted(title="t"))
    journal.write(cache_flushed(name="features hunter2", keys=3))
    journal.close()
    (flushed,) = [e for e in load_events(tmp_path / "j.jsonl") if e.event == "cache.flushed"]
    assert isinstance(flushed, cache_flushed)
    assert (flushed["name"], flushed["keys"], flushed.seq) == ("features ***", 3, 1)
    assert isinstance(seen[-1], cache_flushed) and seen[-1]["name"] == "features ***"
    assert "cache.flushed" in journal_schema()["discriminator"]["mapping"]
    assert "| `cache.flushed` | `CacheFlushed` | `name` string, `keys` integer or null |" in (
        render_doc()
    )
