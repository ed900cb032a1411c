import math

import pytest

from chaosml.demo import validation
from chaosml.demo.schema import FEATURES

GOOD = {
    "age": 40.0,
    "income": 50_000.0,
    "tenure_months": 12.0,
    "txn_count_30d": 3,
    "debt_ratio": 0.3,
}


def reasons(features: object) -> set[tuple[str, str]]:
    return {(p.feature, p.reason) for p in validation.check(FEATURES, features).problems}


def test_a_complete_vector_in_range_is_valid() -> None:
    checked = validation.check(FEATURES, GOOD)
    assert checked.ok
    assert checked.valid == {k: float(v) for k, v in GOOD.items()}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "null"),
        ("41", "type"),
        (True, "type"),
        ([41], "type"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "inf"),
        (17.9, "out_of_range"),
        (100.1, "out_of_range"),
    ],
)
def test_each_bad_value_is_counted_by_its_reason(value: object, reason: str) -> None:
    assert reasons({**GOOD, "age": value}) == {("age", reason)}


def test_range_bounds_are_inclusive() -> None:
    assert reasons({**GOOD, "age": 18}) == set()
    assert reasons({**GOOD, "age": 100}) == set()


def test_a_renamed_field_is_missing_under_its_name_and_unexpected_under_the_new_one() -> None:
    renamed = {**{k: v for k, v in GOOD.items() if k != "income"}, "income_usd": 50_000.0}
    assert reasons(renamed) == {("income", "missing"), ("income_usd", "unexpected")}


def test_a_features_object_that_is_not_a_mapping_misses_every_feature() -> None:
    assert reasons(None) == {(spec.name, "missing") for spec in FEATURES}


def test_impute_replaces_only_the_invalid_values_with_the_fallback() -> None:
    checked = validation.check(FEATURES, {**GOOD, "age": math.nan, "extra": 1})
    fallback = {spec.name: -1.0 for spec in FEATURES}
    completed = validation.impute(checked, fallback)
    assert completed["age"] == -1.0
    assert completed["income"] == 50_000.0
    assert checked.invalid_features() == ["age"]
