import math
from datetime import UTC, datetime
from pathlib import Path

from chaosml.demo import model
from chaosml.demo.feature_store import read_rows
from chaosml.demo.stack import SHIPPED_FEATURES
from chaosml.demo.train import train


def test_sigmoid_is_stable_for_large_inputs() -> None:
    assert model.sigmoid(1000) == 1.0
    assert model.sigmoid(-1000) == 0.0
    assert model.sigmoid(0) == 0.5


def test_score_is_the_logistic_of_the_standardised_linear_term() -> None:
    shipped = model.load(model.SHIPPED_MODEL)
    at_mean = dict(shipped.baseline.feature_mean)
    assert math.isclose(shipped.score(at_mean), model.sigmoid(shipped.bias))
    riskier = {
        **at_mean,
        "debt_ratio": at_mean["debt_ratio"] + shipped.baseline.feature_std["debt_ratio"],
    }
    expected = model.sigmoid(shipped.bias + shipped.weights["debt_ratio"])
    assert math.isclose(shipped.score(riskier), expected)


def test_the_shipped_model_is_what_train_py_produces() -> None:
    shipped = model.load(model.SHIPPED_MODEL)
    fresh = train()
    assert fresh.weights.keys() == shipped.weights.keys()
    for name, weight in fresh.weights.items():
        assert math.isclose(weight, shipped.weights[name], rel_tol=1e-9)
    assert math.isclose(fresh.bias, shipped.bias, rel_tol=1e-9)
    assert fresh.baseline == shipped.baseline


def test_the_model_learned_something_and_records_its_baseline() -> None:
    shipped = model.load(model.SHIPPED_MODEL)
    assert shipped.training["accuracy"] > 0.75
    assert shipped.weights["debt_ratio"] > 0 > shipped.weights["income"]
    assert set(shipped.baseline.feature_std) == set(shipped.feature_names)
    assert 0.1 < shipped.baseline.prediction_mean < 0.5
    assert shipped.dependencies == {"feature-service": "1.0.0"}


def test_the_serving_feed_scores_like_the_training_set() -> None:
    shipped = model.load(model.SHIPPED_MODEL)
    rows = read_rows(SHIPPED_FEATURES)
    mean = sum(shipped.score(r.features) for r in rows) / len(rows)
    assert abs(mean - shipped.baseline.prediction_mean) < 0.05


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    original = model.load(model.SHIPPED_MODEL).with_trained_at(datetime(2020, 1, 2, tzinfo=UTC))
    model.save(original, tmp_path / "m.json")
    assert model.load(tmp_path / "m.json") == original


def test_timestamps_without_a_zone_are_utc() -> None:
    assert model.parse_timestamp("2020-01-02T03:04:05") == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert model.parse_timestamp("2020-01-02T03:04:05Z").tzinfo is not None
