"""What ``run``, ``gameday`` and ``sensitivity`` pass on to every run they start, as typed on
the command line: one value, turned into the engine's ``RunOptions`` in one place. Light to
import: the typer app names it in its signatures (``--help`` loads no engine)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chaosml.errors import InputError

if TYPE_CHECKING:
    from chaosml.engine.state import RunOptions


@dataclass(frozen=True)
class RunFlags:
    env: str | None = None  # --env (the engine falls back to CHAOSML_ENV)
    var: Sequence[str] = ()  # --var k=v
    journal_dir: Path = Path("chaosml-journals")
    allow_python: bool = False
    seed: int | None = None
    watchdog: bool = True  # not --no-watchdog
    halt_unreachable: str | None = None  # --halt-source-unreachable
    debug: bool = False  # --debug: tracebacks

    def overrides(self) -> dict[str, str]:
        """The ``--var`` pairs; ``InputError`` (exit 2) for one that is not ``k=v``."""
        from chaosml.substitution import parse_overrides  # local: YAML, not needed by --help

        try:
            return parse_overrides(list(self.var))
        except ValueError as exc:
            raise InputError(str(exc)) from None

    def run_options(self, command_line: list[str]) -> RunOptions:
        """The engine's options for a run: these flags and the proxy launcher (a command sets
        its own further options with ``dataclasses.replace``)."""
        from chaosml.engine.state import RunOptions  # the engine loads when a run starts
        from chaosml.proxy.launcher import start_proxy

        return RunOptions(
            environment=self.env,
            seed=self.seed,
            allow_python=self.allow_python,
            journal_dir=self.journal_dir,
            command_line=command_line,
            watchdog=self.watchdog,
            halt_unreachable=self.halt_unreachable,
            start_proxy=start_proxy,
        )
