"""Suite-wide isolation: the tests never touch the user's real lock directory or halt switch."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_state_dirs() -> Iterator[None]:
    keys = ("CHAOSML_LOCK_DIR", "CHAOSML_HALT_FILE", "CHAOSML_RUNS_DIR")
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix="chaosml-tests-") as tmp:
        os.environ["CHAOSML_LOCK_DIR"] = os.path.join(tmp, "locks")
        os.environ.setdefault("CHAOSML_HALT_FILE", os.path.join(tmp, "HALT"))
        os.environ["CHAOSML_RUNS_DIR"] = os.path.join(tmp, "runs")  # runs for chaosml reap
        yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Secrets one test loads are masked process-wide; the next test starts without them."""
    from chaosml import redaction

    yield
    redaction.forget_all()
