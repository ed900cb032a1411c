"""Which history store: --history, CHAOSML_HISTORY_URL, the default file (chaosml.history.location)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.errors import InputError
from chaosml.history import location


def test_sqlite_urls_are_relative_with_three_slashes_absolute_with_four() -> None:
    assert location.parse("sqlite:///h.db").path == Path("h.db")
    assert location.parse("sqlite:////var/lib/h.db").path == Path("/var/lib/h.db")


def test_postgresql_urls_keep_their_password_out_of_what_is_shown() -> None:
    found = location.parse("postgresql://ci:s3cret@db.internal:5432/history")
    assert found.backend == "postgresql"
    assert found.shown == "postgresql://ci:***@db.internal:5432/history"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://h.db", "sqlite:///", "history.db"])
def test_other_urls_are_input_errors(url: str) -> None:
    with pytest.raises(InputError, match="history URL"):
        location.parse(url)


def test_the_default_is_in_the_users_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CHAOSML_HISTORY_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert location.resolve().path == tmp_path / "chaosml" / "history.db"
    monkeypatch.setenv("CHAOSML_HISTORY_URL", "sqlite:///elsewhere.db")
    assert location.resolve().path == Path("elsewhere.db")
    assert location.resolve("sqlite:///given.db").path == Path("given.db")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false", "no"])
def test_recording_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CHAOSML_HISTORY", value)
    assert not location.recording_enabled()
