from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.reporting.journal_reader import RunReport, read_journal

DATA = Path(__file__).parent / "data"


def load(name: str) -> RunReport:
    return read_journal(DATA / f"{name}.jsonl")


@pytest.fixture
def passed() -> RunReport:
    return load("passed")


@pytest.fixture
def deviated() -> RunReport:
    return load("deviated")


@pytest.fixture
def refused() -> RunReport:
    return load("refused")


@pytest.fixture
def killed() -> RunReport:
    return load("killed")
