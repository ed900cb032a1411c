"""What a corruption does: mode, fields, the slice it may touch, the share of records (and what
that share depends on), seed and the mode's own knobs."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chaosml.feed.paths import parse_path
from chaosml.feed.slices import Predicate

Mode = Literal[
    "nan",
    "null",
    "drop_field",
    "rename_field",
    "scale",
    "noise",
    "shuffle",
    "stale",
    "type_flip",
    "out_of_range",
    "category_shift",
    "swap_fields",
    "broken_encoding",
    "clip",
]
MODES: tuple[str, ...] = get_args(Mode)
Mechanism = Literal["mcar", "mar", "mnar"]
Encoding = Literal["mojibake", "truncated_utf8"]


class CorruptionSpec(BaseModel):
    """One corruption. ``percent`` is the share of records changed (each record drawn with the
    seeded random generator) among those ``where`` selects (all when empty). ``mechanism`` says
    what the chance depends on: nothing (``mcar``), another field (``mar``) or the corrupted
    field's own value (``mnar``): records where ``depends_on`` holds are drawn with ``percent``,
    the others with ``percent_otherwise``. ``factor``, ``sigma``, ``value``, ``to``,
    ``mapping``, ``encoding``, ``low`` and ``high`` tune their modes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode
    fields: tuple[str, ...] = Field(min_length=1)
    percent: float = Field(default=100.0, ge=0, le=100)
    seed: int = 0
    factor: float = 1000.0  # scale
    sigma: float = 1.0  # noise
    value: Any = 1e9  # out_of_range
    to: str | None = None  # rename_field: the new name (default <name>_renamed)
    where: tuple[Predicate, ...] = ()
    mechanism: Mechanism = "mcar"
    depends_on: Predicate | None = None  # mar / mnar
    percent_otherwise: float = Field(default=0.0, ge=0, le=100)  # mar / mnar
    mapping: dict[str, Any] | None = None  # category_shift: old value -> new value
    encoding: Encoding = "mojibake"  # broken_encoding
    low: float | None = None  # clip: values below become low
    high: float | None = None  # clip: values above become high

    @field_validator("fields", mode="before")
    @classmethod
    def _one_or_many(cls, raw: Any) -> Any:
        return (raw,) if isinstance(raw, str) else raw

    @field_validator("where", mode="before")
    @classmethod
    def _one_or_many_predicates(cls, raw: Any) -> Any:
        return (raw,) if isinstance(raw, dict) else raw

    @field_validator("where")
    @classmethod
    def _where_names_fields(cls, where: tuple[Predicate, ...]) -> tuple[Predicate, ...]:
        for index, predicate in enumerate(where):
            if predicate.field is None:
                raise ValueError(f"where[{index}] needs a field: the path it tests")
        return where

    @model_validator(mode="after")
    def _knobs_fit_the_mode(self) -> CorruptionSpec:
        _check_mechanism(self)
        if self.mode == "category_shift" and not self.mapping:
            raise ValueError("mode category_shift needs mapping: {old value: new value, ...}")
        if self.mode == "swap_fields" and len(self.fields) != 2:
            raise ValueError("mode swap_fields needs exactly two fields (their values swap)")
        if self.mode == "clip" and self.low is None and self.high is None:
            raise ValueError("mode clip needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("clip: low must not be above high")
        return self

    @field_validator("fields")
    @classmethod
    def _paths_parse(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        for path in fields:
            parse_path(path)
        return fields


def _check_mechanism(spec: CorruptionSpec) -> None:
    given = spec.depends_on
    if spec.mechanism == "mcar":
        if given is not None:
            raise ValueError("depends_on needs mechanism: mar (another field) or mnar (its own)")
        return
    if given is None:
        raise ValueError(f"mechanism {spec.mechanism} needs depends_on: a predicate")
    if spec.mechanism == "mar" and given.field is None:
        raise ValueError("mechanism mar: depends_on needs the field the chance depends on")
    if spec.mechanism == "mnar" and given.field is not None:
        raise ValueError("mechanism mnar: depends_on tests the corrupted value; give no field")
