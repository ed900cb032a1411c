"""A validated experiment and how it was loaded: what ``chaosml.loader`` returns and the engine
runs (the engine takes it as data and never imports the loader)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml.model import experiment as m
from chaosml.substitution import SecretRefs


@dataclass
class Loaded:
    """A validated experiment and what the run needs to know about how it was loaded."""

    experiment: m.Experiment
    path: str
    secret_values: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)  # the substituted document
    secret_refs: SecretRefs = field(default_factory=SecretRefs)  # for undo records (rollback)
