"""``chaosml schema`` (the experiment format) and ``chaosml schema --journal``."""

from __future__ import annotations

import json

from chaosml.drivers.registry import default_registry
from chaosml.journal.schema import journal_schema
from chaosml.model.schema import experiment_schema


def schema(journal: bool = False) -> int:
    found = journal_schema() if journal else experiment_schema(default_registry())
    print(json.dumps(found, indent=2, default=str))
    return 0
