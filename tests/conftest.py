"""Suite-wide isolation: the tests never touch the user's real lock directory, halt switch or run
index, and each pytest-xdist worker has its own (tests/README.md: writing a test that is safe in
parallel); and the journal invariant: no journal a test leaves holds a negative time to detect.

The fixtures of tests/fixtures/ come in as plugins, so every test sees them by name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from tests.fixtures.journal_checks import negative_times_to_detect

pytest_plugins = [  # a module before the ones importing it (assertion rewriting)
    "tests.fixtures.cli_fork",
    "tests.fixtures.docker_env",
    "tests.fixtures.proxy_env",
    "tests.fixtures.prom_env",
    "tests.fixtures.faketime",
    "tests.fixtures.reporting_env",
    "tests.fixtures.demo_env",
    "tests.fixtures.mlstack_env",
    "tests.fixtures.catalogue_env",
    "tests.fixtures.encoded_feeds",
    "tests.fixtures.k8s_env",
    "tests.fixtures.postgres_env",
    "tests.fixtures.secure_sources",
    "tests.integration.watchdog.kill_env",
    "tests.fixtures.schedule",
]


def worker_name() -> str:
    """``gw0``, ``gw1``… under pytest-xdist, ``main`` without it: a tag for names and labels."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(autouse=True, scope="session")
def _isolated_state_dirs() -> Iterator[None]:
    keys = ("CHAOSML_LOCK_DIR", "CHAOSML_HALT_FILE", "CHAOSML_RUNS_DIR", "CHAOSML_HISTORY_URL")
    keys = (*keys, "XDG_DATA_HOME")  # the default history, for runs whose env drops CHAOSML_*
    keys += ("CHAOSML_SYSTEM_HALT_DIR", "CHAOSML_CONFIG", "CHAOSML_HALT_URL")
    keys += ("CHAOSML_STATE_DIR",)  # snapshots of drivers the tests call outside a run
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix=f"chaosml-tests-{worker_name()}-") as tmp:
        os.environ["CHAOSML_LOCK_DIR"] = os.path.join(tmp, "locks")
        os.environ["CHAOSML_HALT_FILE"] = os.path.join(tmp, "HALT")
        # the machine-wide halt and the config file: never the real machine's (docs/safety.md)
        os.environ["CHAOSML_SYSTEM_HALT_DIR"] = os.path.join(tmp, "system-halt")
        os.environ["CHAOSML_CONFIG"] = os.path.join(tmp, "chaosml.toml")
        open(os.environ["CHAOSML_CONFIG"], "w").close()
        os.environ.pop("CHAOSML_HALT_URL", None)
        os.environ["CHAOSML_RUNS_DIR"] = os.path.join(tmp, "runs")  # runs for chaosml reap
        os.environ["CHAOSML_HISTORY_URL"] = "sqlite:///" + os.path.join(tmp, "history.db")
        os.environ["XDG_DATA_HOME"] = os.path.join(tmp, "data")
        os.environ["CHAOSML_STATE_DIR"] = os.path.join(tmp, "state")
        yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _own_machine_halt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test its own machine-wide halt directory: a ``chaosml halt`` a test leaves on never
    refuses the next test's runs (and never the real machine's: docs/safety.md)."""
    with tempfile.TemporaryDirectory(prefix="chaosml-machine-halt-") as tmp:
        monkeypatch.setenv("CHAOSML_SYSTEM_HALT_DIR", os.path.join(tmp, "halt"))
        yield


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Secrets one test loads are masked process-wide; the next test starts without them."""
    from chaosml import redaction

    yield
    redaction.forget_all()


@pytest.fixture(autouse=True)
def _no_negative_time_to_detect(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every journal a test leaves in its tmp_path: no negative time to detect (issue 20)."""
    root = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if root is not None:
        bad = negative_times_to_detect(root)
        assert not bad, "negative time to detect in a journal:\n" + "\n".join(bad)
