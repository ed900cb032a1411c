"""``chaosml schema``."""

from __future__ import annotations

import json

from chaosml.drivers.registry import default_registry
from chaosml.model.schema import experiment_schema


def schema() -> int:
    print(json.dumps(experiment_schema(default_registry()), indent=2, default=str))
    return 0
