"""The feature service and model server apps, served in-process on loopback port 0."""

from __future__ import annotations

import json
import math
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chaosml.demo import model
from chaosml.demo.feature_service import VERSION_HEADER, FeatureServiceApp, VersionSource
from chaosml.demo.feature_store import FeatureTable
from chaosml.demo.model_server import ModelServerApp
from chaosml.demo.web import Request, serve_in_thread
from tests.fixtures.mlstack_env import metric, samples

ROWS = [
    {
        "entity_id": 1,
        "age": 41,
        "income": 50_000,
        "tenure_months": 12,
        "txn_count_30d": 3,
        "debt_ratio": 0.3,
    },
    {
        "entity_id": 2,
        "age": "NaN-string",
        "income": None,
        "tenure_months": 12,
        "txn_count_30d": 3,
        "debt_ratio": 0.3,
    },
    {
        "entity_id": 3,
        "age": 41,
        "income": 50_000,
        "tenure_months": 12,
        "txn_count_30d": 3,
        "debt_ratio": 0.3,
        "generated_at": 1_000,
    },
]


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "features.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.append(
        '{"entity_id": 4, "age": NaN, "income": 50000, "tenure_months": 12, '
        '"txn_count_30d": 3, "debt_ratio": 0.3}'
    )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def version_file(tmp_path: Path) -> Path:
    path = tmp_path / "version"
    path.write_text("1.0.0\n")
    return path


@pytest.fixture
def feature_app(data_file: Path, version_file: Path) -> FeatureServiceApp:
    return FeatureServiceApp(FeatureTable(data_file), VersionSource("0.0.0", version_file))


@pytest.fixture
def feature_url(feature_app: FeatureServiceApp) -> Iterator[str]:
    with serve_in_thread(feature_app, "127.0.0.1", 0) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    fresh = model.load(model.SHIPPED_MODEL).with_trained_at(datetime.now(UTC))
    model.save(fresh, path)
    return path


def predict(app: ModelServerApp, entity_id: object) -> tuple[int, dict[str, object]]:
    response = app(Request("POST", "/predict", body=json.dumps({"entity_id": entity_id}).encode()))
    return response.status, response.json()


def metrics_of(app: ModelServerApp | FeatureServiceApp) -> str:
    return app(Request("GET", "/metrics")).body.decode()


# --- feature service ---------------------------------------------------------------------------


def test_features_by_entity_with_version_header(feature_app: FeatureServiceApp) -> None:
    response = feature_app(Request("GET", "/features/1"))
    assert response.status == 200
    assert response.headers[VERSION_HEADER] == "1.0.0"
    body = response.json()
    assert body["entity_id"] == 1
    assert body["features"]["income"] == 50_000
    assert isinstance(body["generated_at"], float)


def test_unknown_and_malformed_entities(feature_app: FeatureServiceApp) -> None:
    assert feature_app(Request("GET", "/features/99")).status == 404
    assert feature_app(Request("GET", "/features/abc")).status == 400
    assert feature_app(Request("GET", "/nowhere")).status == 404


def test_nan_in_the_file_is_served_as_nan(feature_app: FeatureServiceApp) -> None:
    body = feature_app(Request("GET", "/features/4")).json()
    assert math.isnan(body["features"]["age"])


def test_batch_lists_found_and_missing(feature_app: FeatureServiceApp) -> None:
    payload = json.dumps({"entity_ids": [1, 3, 99]}).encode()
    body = feature_app(Request("POST", "/features/batch", body=payload)).json()
    assert [r["entity_id"] for r in body["results"]] == [1, 3]
    assert body["results"][1]["generated_at"] == 1000
    assert body["missing"] == [99]
    assert feature_app(Request("POST", "/features/batch", body=b"[]")).status == 400


def test_version_follows_the_version_file(
    feature_app: FeatureServiceApp, version_file: Path
) -> None:
    version_file.write_text("2.0.0\n")
    assert feature_app(Request("GET", "/version")).json() == {"version": "2.0.0"}
    text = metrics_of(feature_app)
    assert metric(text, "feature_service_info", version="2.0.0") == 1.0
    assert metric(text, "feature_service_rows") == 4.0


# --- model server ------------------------------------------------------------------------------


def test_predict_scores_a_valid_entity(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    status, body = predict(app, 1)
    assert status == 200
    assert 0.0 < body["score"] < 1.0  # type: ignore[operator]
    assert body["imputed"] == []
    text = metrics_of(app)
    assert metric(text, "model_requests_total", code="200") == 1.0
    assert metric(text, "model_prediction_score_count") == 1.0
    assert metric(text, "model_dependency_info", dependency="feature-service", version="1.0.0") == 1
    assert metric(text, "model_dependency_expected_info", version="1.0.0") == 1
    assert metric(text, "model_feature_age_seconds") < 5  # type: ignore[operator]
    assert metric(text, "model_errors_total", reason="feature_timeout") == 0.0


def test_invalid_values_are_counted_and_imputed(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    assert predict(app, 2)[1]["imputed"] == ["age", "income"]
    status, body = predict(app, 4)
    assert status == 200
    assert body["imputed"] == ["age"]
    text = metrics_of(app)
    assert metric(text, "model_invalid_features_total", reason="type", feature="age") == 1.0
    assert metric(text, "model_invalid_features_total", reason="null", feature="income") == 1.0
    assert metric(text, "model_invalid_features_total", reason="nan", feature="age") == 1.0


def test_reject_mode_answers_422_and_counts_an_error(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url, on_invalid="reject")
    status, body = predict(app, 4)
    assert status == 422
    assert body["problems"] == [{"feature": "age", "reason": "nan"}]
    assert metric(metrics_of(app), "model_errors_total", reason="invalid_features") == 1.0


def test_old_features_show_in_feature_age(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    predict(app, 3)
    assert metric(metrics_of(app), "model_feature_age_seconds") > 1_000_000  # type: ignore[operator]


def test_a_dependency_version_change_is_visible(
    model_file: Path, feature_url: str, version_file: Path
) -> None:
    app = ModelServerApp(model_file, feature_url)
    predict(app, 1)
    version_file.write_text("2.0.0\n")
    predict(app, 1)
    text = metrics_of(app)
    assert metric(text, "model_dependency_info", version="2.0.0") == 1.0
    assert metric(text, "model_dependency_info", version="1.0.0") is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_feature_service_answers_502(model_file: Path) -> None:
    app = ModelServerApp(model_file, f"http://127.0.0.1:{_closed_port()}")
    status, body = predict(app, 1)
    assert status == 502
    assert "cannot reach" in str(body["error"])
    assert metric(metrics_of(app), "model_errors_total", reason="feature_unreachable") == 1.0


def test_client_mistakes_are_not_server_errors(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    assert predict(app, 99)[0] == 404
    assert predict(app, "seven")[0] == 400
    text = metrics_of(app)
    assert metric(text, "model_requests_total", code="404") == 1.0
    assert sum(v for _, v in samples(text, "model_errors_total")) == 0


def test_model_age_follows_the_model_file(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    assert metric(metrics_of(app), "model_age_seconds") < 60  # type: ignore[operator]
    old = model.load(model_file).with_trained_at(datetime(2020, 1, 1, tzinfo=UTC))
    model.save(old, model_file)
    os.utime(model_file, ns=(0, model_file.stat().st_mtime_ns + 1_000_000_000))
    assert metric(metrics_of(app), "model_age_seconds") > 86_400  # type: ignore[operator]


def test_serving_means_appear_once_the_window_is_half_full(
    model_file: Path, feature_url: str
) -> None:
    app = ModelServerApp(model_file, feature_url, window=4)
    predict(app, 1)
    assert metric(metrics_of(app), "model_serving_feature_mean", feature="age") is None
    predict(app, 1)
    assert metric(metrics_of(app), "model_serving_feature_mean", feature="age") == 41.0
    assert metric(metrics_of(app), "model_training_feature_stddev", feature="age") > 0  # type: ignore[operator]


def test_health(model_file: Path, feature_url: str) -> None:
    app = ModelServerApp(model_file, feature_url)
    assert app(Request("GET", "/health")).json()["status"] == "ok"
