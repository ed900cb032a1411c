"""The heaviest-first list names modules that exist (a renamed module would silently lose its
place at the front of the queue)."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.schedule import HEAVIEST_FIRST

ROOT = Path(__file__).parents[2]


def test_every_listed_module_exists_once() -> None:
    assert [p for p in HEAVIEST_FIRST if not (ROOT / p).is_file()] == []
    assert len(set(HEAVIEST_FIRST)) == len(HEAVIEST_FIRST)
