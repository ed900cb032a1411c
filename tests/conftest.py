"""Suite-wide isolation: the tests never touch the user's real lock directory or halt switch, and
each pytest-xdist worker has its own (tests/README.md: writing a test that is safe in parallel).

The fixtures of tests/fixtures/ come in as plugins, so every test sees them by name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

pytest_plugins = [  # a module before the ones importing it (assertion rewriting)
    "tests.fixtures.docker_env",
    "tests.fixtures.proxy_env",
    "tests.fixtures.prom_env",
    "tests.fixtures.reporting_env",
    "tests.fixtures.demo_env",
    "tests.fixtures.mlstack_env",
    "tests.fixtures.catalogue_env",
]


def worker_name() -> str:
    """``gw0``, ``gw1``… under pytest-xdist, ``main`` without it: a tag for names and labels."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(autouse=True, scope="session")
def _isolated_state_dirs() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("CHAOSML_LOCK_DIR", "CHAOSML_HALT_FILE")}
    with tempfile.TemporaryDirectory(prefix=f"chaosml-tests-{worker_name()}-") as tmp:
        os.environ["CHAOSML_LOCK_DIR"] = os.path.join(tmp, "locks")
        os.environ["CHAOSML_HALT_FILE"] = os.path.join(tmp, "HALT")
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
