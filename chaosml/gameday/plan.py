"""The game-day plan (DESIGN.md §3) as a typed model, and its loading with located errors.

```yaml
version: 1
title: Serving tier drill, weekly
environments: [staging]
deadline: 1h
stop_on_failure: false
pause: 30s
experiments:
  - path: experiments/kill-model-server.yaml   # relative to the plan file
    vars: {replicas: 2}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chaosml import escape
from chaosml.errors import ValidationError
from chaosml.model.problems import Collector
from chaosml.model.types import Duration
from chaosml.yaml_source import read_source


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanEntry(_Strict):
    """One experiment of the drill; ``vars`` override the experiment's own."""

    path: str = Field(min_length=1)
    vars: dict[str, Any] = Field(default_factory=dict)


class Plan(_Strict):
    version: Literal[1]
    title: Annotated[str, AfterValidator(escape.plain)] = Field(min_length=1)  # no ESC etc.
    description: str = ""
    environments: list[str] | None = None
    deadline: Duration | None = Field(default=None, gt=0)
    stop_on_failure: bool = False
    pause: Duration = Field(default=0.0, ge=0)
    experiments: list[PlanEntry] = Field(min_length=1)


class LoadedPlan(_Strict):
    plan: Plan
    path: Path

    def experiment_path(self, entry: PlanEntry) -> Path:
        """An entry's file, relative to the plan file's directory."""
        return (self.path.parent / entry.path).resolve()


def load_plan(path: str | Path) -> LoadedPlan:
    """Read and validate a plan; every problem with file:line:col, and the missing files."""
    source = read_source(path)
    out = Collector(source)
    plan = out.validate(Plan, source.data, ())
    if plan is None:
        raise ValidationError(out.problems)
    loaded = LoadedPlan(plan=plan, path=Path(path).resolve())
    for index, entry in enumerate(plan.experiments):
        if not loaded.experiment_path(entry).is_file():
            where = loaded.experiment_path(entry)
            out.add(("experiments", index, "path"), f"no experiment file at {where}")
    if out.problems:
        raise ValidationError(out.problems)
    return loaded
