"""Where the drill meets the engine: load an experiment with the plan's vars, lock keys, run it.

The drill runner only knows two callables (``RunOne``, ``KeysOf``); this module builds them on
``chaosml.loader.load_file`` and ``chaosml.engine.api.run_experiment``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from chaosml.engine.api import run_experiment
from chaosml.engine.lock import target_keys
from chaosml.engine.state import RunOptions
from chaosml.exit_codes import ExitCode
from chaosml.gameday.runner import ExperimentRequest
from chaosml.journal.writer import Observer
from chaosml.loader import load_file

ObserverFactory = Callable[[ExperimentRequest], list[Observer]]


def keys_of(path: Path, variables: dict[str, str]) -> tuple[str, list[str]]:
    """The experiment's title and its lock keys; ValidationError when it does not load."""
    loaded = load_file(path, overrides=variables, strict_vars=False)
    return loaded.experiment.title, target_keys(loaded.raw, str(path))


@dataclass
class EngineRunner:
    """``RunOne`` for the drill: one experiment through the engine, its exit code back.

    ``options`` holds what every run of the drill shares (seed, watchdog, halt policy, command
    line, proxy launcher); each request sets its environment, journal and deadline."""

    options: RunOptions = field(default_factory=RunOptions)
    observers: ObserverFactory = lambda request: []

    def __call__(self, request: ExperimentRequest) -> ExitCode:
        loaded = load_file(request.path, overrides=request.vars, strict_vars=False)
        options = replace(
            self.options,
            environment=request.environment,
            journal_path=request.journal,
            deadline_s=request.deadline_s,
        )
        outcome = run_experiment(loaded, options, self.observers(request))
        return outcome.exit_code
