"""The base of every driver's parameter model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base of every driver's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
