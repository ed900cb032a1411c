"""The model server: fetches features, validates them, scores the demo model.

``python -m chaosml.demo.model_server --features http://127.0.0.1:8081 --model model.json``

``POST /predict`` with ``{"entity_id": 7}`` answers ``{"entity_id", "score", "model_version",
"imputed": [...]}``. Invalid feature values (see ``validation``) are counted in
``model_invalid_features_total{reason,feature}``; then, with ``--on-invalid impute`` (the
default) the prediction is still answered, the invalid values replaced by their training mean and
listed in ``imputed``; with ``--on-invalid reject`` the answer is 422. Feature-service failures
answer 502 (unreachable, error status, bad body) or 504 (timeout) and count in
``model_errors_total{reason}``; an unknown entity answers 404.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

from chaosml.demo import model as artifact
from chaosml.demo import validation
from chaosml.demo.feature_client import FeatureFetchError, fetch
from chaosml.demo.metrics import EXPOSITION_TYPE, ModelServerMetrics
from chaosml.demo.model_file import ModelFile
from chaosml.demo.resource_metrics import track_resources
from chaosml.demo.segments import segment_of
from chaosml.demo.serving_stats import RollingMeans
from chaosml.demo.web import Request, Response, error, json_response, serve

FEATURE_SERVICE = "feature-service"
ERROR_REASONS = (
    "feature_unreachable",
    "feature_timeout",
    "feature_upstream_status",
    "feature_bad_response",
    "invalid_features",
    "nonfinite",
)


class PredictFailed(Exception):
    """A prediction that ends in an error answer; ``reason`` labels model_errors_total."""

    def __init__(self, response: Response, reason: str | None) -> None:
        super().__init__(reason)
        self.response, self.reason = response, reason


class ModelServerApp:
    def __init__(
        self,
        model_path: Path,
        feature_url: str,
        *,
        timeout: float = 2.0,
        on_invalid: str = "impute",
        window: int = 200,
    ) -> None:
        self.feature_url, self.timeout, self.on_invalid = feature_url, timeout, on_invalid
        self.metrics = ModelServerMetrics()
        self.serving = RollingMeans(window)
        self.model_file = ModelFile(model_path, self._publish_model)
        features = self.model_file.current().feature_names
        self.metrics.zero(features, ERROR_REASONS, validation.PER_FEATURE_REASONS)
        self.metrics.track_model_age(lambda: self.model_file.current().trained_at.timestamp())
        track_resources(self.metrics.registry)  # memory and CPU, for the M6 resource alerts

    def _publish_model(self, model: artifact.ModelArtifact) -> None:
        m = self.metrics
        m.model_info.info({"name": model.name, "version": model.version})
        m.training_prediction_mean.set(model.baseline.prediction_mean)
        for name in model.feature_names:
            m.training_mean.labels(name).set(model.baseline.feature_mean[name])
            m.training_std.labels(name).set(model.baseline.feature_std[name])
        for dependency, version in model.dependencies.items():
            m.expected_dependency.labels(dependency).info({"version": version})

    def __call__(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/predict" and request.method == "POST":
            return self.predict(request)
        if path == "/health":
            return self.health()
        if path == "/metrics":
            return Response(200, self.metrics.render(), EXPOSITION_TYPE)
        return error(404, f"no route for {request.method} {request.path}")

    def health(self) -> Response:
        model = self.model_file.current()
        status = {"status": "ok", "model": model.name, "model_version": model.version}
        if self.model_file.last_error:
            status["model_error"] = self.model_file.last_error
        return json_response(200, status)

    def predict(self, request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = json_response(200, self._predict(request))
        except PredictFailed as failed:
            response = failed.response
            if failed.reason:
                self.metrics.errors.labels(failed.reason).inc()
        self.metrics.requests.labels(str(response.status)).inc()
        self.metrics.latency.observe(time.perf_counter() - started)
        return response

    def _predict(self, request: Request) -> dict[str, Any]:
        entity_id = _entity_id(request)
        features = self._features(entity_id)
        model = self.model_file.current()
        checked = validation.check(model.schema, features)
        self._count_invalid(checked)
        self._count_segment(features, checked.ok)
        if not checked.ok and self.on_invalid == "reject":
            problems = [{"feature": p.feature, "reason": p.reason} for p in checked.problems]
            raise PredictFailed(
                error(422, "invalid features", problems=problems), "invalid_features"
            )
        score = model.score(validation.impute(checked, model.baseline.feature_mean))
        self._record_score(score)
        self.serving.add(checked.valid)
        for name, mean in self.serving.means().items():
            self.metrics.serving_mean.labels(name).set(mean)
        return {
            "entity_id": entity_id,
            "score": score,
            "model_version": model.version,
            "imputed": checked.invalid_features(),
        }

    def _features(self, entity_id: int) -> Any:
        try:
            fetched = fetch(self.feature_url, entity_id, self.timeout)
        except FeatureFetchError as exc:
            reason = None if exc.reason == "not_found" else f"feature_{exc.reason}"
            raise PredictFailed(error(exc.status, str(exc)), reason) from exc
        if fetched.version:
            self.metrics.dependency.labels(FEATURE_SERVICE).info({"version": fetched.version})
        self._record_age(fetched.payload.get("generated_at"))
        return fetched.payload.get("features")

    def _record_age(self, generated_at: Any) -> None:
        if isinstance(generated_at, int | float) and math.isfinite(generated_at):
            self.metrics.feature_age.set(max(0.0, time.time() - generated_at))

    def _count_invalid(self, checked: validation.Checked) -> None:
        for problem in checked.problems:
            self.metrics.invalid.labels(problem.reason, problem.feature).inc()

    def _count_segment(self, features: Any, ok: bool) -> None:
        segment = segment_of(features)
        self.metrics.segment_requests.labels(segment).inc()
        if not ok:
            self.metrics.segment_invalid.labels(segment).inc()

    def _record_score(self, score: float) -> None:
        if not math.isfinite(score):
            self.metrics.nonfinite.inc()
            raise PredictFailed(error(500, "the model produced a non-finite score"), "nonfinite")
        self.metrics.predictions.observe(score)


def _entity_id(request: Request) -> int:
    try:
        raw = request.json()["entity_id"]
    except (ValueError, TypeError, KeyError):
        raw = None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise PredictFailed(error(400, 'expected {"entity_id": <integer>}'), None)
    return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="chaosml demo model server")
    parser.add_argument("--features", required=True, help="feature service base URL")
    parser.add_argument("--model", type=Path, default=artifact.SHIPPED_MODEL)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--timeout", type=float, default=2.0, help="feature fetch timeout (s)")
    parser.add_argument("--on-invalid", choices=("impute", "reject"), default="impute")
    parser.add_argument("--window", type=int, default=200, help="values per serving mean")
    parser.add_argument("--pid-file", type=Path)
    args = parser.parse_args(argv)
    app = ModelServerApp(
        args.model,
        args.features,
        timeout=args.timeout,
        on_invalid=args.on_invalid,
        window=args.window,
    )
    serve(app, args.host, args.port, args.pid_file)


if __name__ == "__main__":
    main()
