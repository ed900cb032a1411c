"""The stack's telemetry: every metric the demo services export (the one prometheus_client import).

Metric names are the contract with ``rules/ml-stack.rules.yml``; change both together.
Each service gets its own registry, so several can live in one process (tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from chaosml.demo.segments import SEGMENTS

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
SCORE_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))
EXPOSITION_TYPE = CONTENT_TYPE_LATEST


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format of everything in ``registry``."""
    return generate_latest(registry)


class FeatureServiceMetrics:
    def __init__(self, version: Callable[[], str], rows: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.info = Info("feature_service", "Feature service build", registry=r)
        self._version = version
        self.requests = Counter(
            "feature_service_requests_total", "Requests", ["endpoint", "code"], registry=r
        )
        self.latency = Histogram(
            "feature_service_request_seconds",
            "Latency",
            ["endpoint"],
            registry=r,
            buckets=LATENCY_BUCKETS,
        )
        self.reloads = Gauge(
            "feature_service_data_reloads", "Times the data file was read", registry=r
        )
        self.data_errors = Gauge(
            "feature_service_data_error", "1 while the data file cannot be read", registry=r
        )
        Gauge("feature_service_rows", "Rows in the data file", registry=r).set_function(
            lambda: float(rows())
        )

    def render(self) -> bytes:
        self.info.info({"version": self._version()})
        return exposition(self.registry)


class ModelServerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.latency = Histogram(
            "model_request_seconds", "Predict latency", registry=r, buckets=LATENCY_BUCKETS
        )
        self.requests = Counter("model_requests_total", "Predict requests", ["code"], registry=r)
        self.errors = Counter("model_errors_total", "Failed predictions", ["reason"], registry=r)
        self.invalid = Counter(
            "model_invalid_features_total",
            "Invalid feature values",
            ["reason", "feature"],
            registry=r,
        )
        self.predictions = Histogram(
            "model_prediction_score", "Predicted probability", registry=r, buckets=SCORE_BUCKETS
        )
        self.nonfinite = Counter(
            "model_nonfinite_predictions_total", "NaN/inf scores (answered 500)", registry=r
        )
        self.feature_age = Gauge(
            "model_feature_age_seconds", "now - generated_at of the last features", registry=r
        )
        self.serving_mean = Gauge(
            "model_serving_feature_mean",
            "Mean of recent valid serving values",
            ["feature"],
            registry=r,
        )
        self.training_mean = Gauge(
            "model_training_feature_mean", "Training-time mean", ["feature"], registry=r
        )
        self.training_std = Gauge(
            "model_training_feature_stddev", "Training-time std deviation", ["feature"], registry=r
        )
        self.training_prediction_mean = Gauge(
            "model_training_prediction_mean", "Mean score on the training set", registry=r
        )
        self.model_age = Gauge("model_age_seconds", "now - the model's trained_at", registry=r)
        self.segment_requests = Counter(
            "model_segment_requests", "Requests by customer segment", ["segment"], registry=r
        )
        self.segment_invalid = Counter(
            "model_segment_invalid_requests",
            "Requests with an invalid feature, by customer segment",
            ["segment"],
            registry=r,
        )
        self.model_info = Info("model", "The loaded model", registry=r)
        self.dependency = Info(
            "model_dependency", "Version a dependency reports", ["dependency"], registry=r
        )
        self.expected_dependency = Info(
            "model_dependency_expected",
            "Version the model was validated with",
            ["dependency"],
            registry=r,
        )

    def zero(
        self, features: tuple[str, ...], errors: tuple[str, ...], invalid: tuple[str, ...]
    ) -> None:
        """Create the labelled series at 0, so rate() sees the first error at once."""
        for reason in errors:
            self.errors.labels(reason)
        for reason in invalid:
            for feature in features:
                self.invalid.labels(reason, feature)
        self.requests.labels("200")
        for segment in SEGMENTS:
            self.segment_requests.labels(segment)
            self.segment_invalid.labels(segment)

    def track_model_age(self, trained_at: Callable[[], float]) -> None:
        self.model_age.set_function(lambda: time.time() - trained_at())

    def render(self) -> bytes:
        return exposition(self.registry)


class TrafficMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("traffic_requests_total", "Sent", ["outcome"], registry=r)
        self.dropped = Counter(
            "traffic_dropped_total", "Not sent: too many requests in flight", registry=r
        )
        self.latency = Histogram(
            "traffic_request_seconds", "Client-side latency", registry=r, buckets=LATENCY_BUCKETS
        )
        self.target_up = Gauge(
            "traffic_target_up",
            "1 when the target's /health answered 200",
            ["target"],
            registry=r,
        )

    def render(self) -> bytes:
        return exposition(self.registry)
