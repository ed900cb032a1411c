"""The halt switch: every source a run watches (docs/safety.md, docs/signals.md).

The account's file (scope ``user``: ``CHAOSML_HALT_FILE`` or ``~/.local/state/chaosml/HALT``),
the machine's file (scope ``machine``: ``chaosml.halt.machine``), the team/cluster URLs
(``CHAOSML_HALT_URL`` and ``chaosml.toml``'s ``halt.urls``) and the global stop conditions of
``chaosml.toml``. A halt in force refuses new runs (exit 2) and aborts running ones (exit 4).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from chaosml.config_file import ChaosConfig, load_config
from chaosml.errors import InputError, RefusedError
from chaosml.halt.board import HaltBoard, Policy, Reading
from chaosml.halt.file_source import FileSource
from chaosml.halt.machine import machine_source
from chaosml.halt.sources import HaltSource
from chaosml.halt.urls import env_urls, source_for

if TYPE_CHECKING:
    from chaosml.engine.state import RunOptions
    from chaosml.model.experiment import Experiment

HALT_FILE_ENV = "CHAOSML_HALT_FILE"


def halt_file() -> Path:
    configured = os.environ.get(HALT_FILE_ENV)
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return base / "chaosml" / "HALT"


def user_source(path: Path | None = None) -> FileSource:
    return FileSource(path or halt_file(), scope="user")


def url_sources(config: ChaosConfig) -> list[HaltSource]:
    urls = list(dict.fromkeys([*config.halt.urls, *env_urls()]))
    return [source_for(url) for url in urls]


def halt_sources(config: ChaosConfig, user_file: Path | None = None) -> list[HaltSource]:
    """Every halt switch in force for this account: user, machine, then the URLs."""
    return [user_source(user_file), machine_source(), *url_sources(config)]


def policy(config: ChaosConfig, chosen: str | None) -> Policy:
    picked = chosen or config.halt.source_unreachable or "abort"
    if picked not in ("abort", "warn"):
        raise InputError(f"--halt-source-unreachable must be abort or warn, got {picked!r}")
    return "warn" if picked == "warn" else "abort"


def check_settings(chosen: str | None) -> None:
    """The config file, the halt URLs and the unreachable policy are usable (else exit 2)."""
    config = load_config()
    url_sources(config)
    policy(config, chosen)


def board_for(options: RunOptions, experiment: Experiment | None = None) -> HaltBoard:
    """The halts and global stop conditions one run watches; ``RefusedError`` (exit 2) when the
    config file has become unusable since the command started."""
    from chaosml.engine.stop_conditions import stop_sources

    try:
        config = load_config()
        sources = halt_sources(config, options.halt_file)
        stops = stop_sources(config.stop_conditions, experiment)
        return HaltBoard([*sources, *stops], policy(config, options.halt_unreachable))
    except RefusedError:
        raise
    except InputError as exc:
        raise RefusedError(exc.message, hint=exc.hint) from None


FIRST_ANSWER_S = 2.0


@contextlib.contextmanager
def drill_board() -> Iterator[HaltBoard]:
    """The halt switches a game day watches between its experiments (each experiment's run
    watches the stop conditions and unreachable sources itself); polled until the drill ends."""
    board = HaltBoard(halt_sources(load_config())).start().wait_answered(FIRST_ANSWER_S)
    try:
        yield board
    finally:
        board.stop()


def refuse_if_halted(reading: Reading) -> None:
    if reading.active:
        found = reading.active[0].source
        hint = (
            "it clears when the alert resolves (or is silenced)"
            if found.scope == "stop-condition"
            else f"once it is safe: chaosml halt --clear --scope {_scope_word(found)}"
        )
        raise RefusedError(reading.active[0].message(), hint=hint)


def _scope_word(source: HaltSource) -> str:
    return source.scope if source.scope in ("user", "machine") else source.where
