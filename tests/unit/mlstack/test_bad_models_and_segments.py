"""The bad model artifacts the model.swap drills serve, the customer segments, and the model
server's own resource metrics."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from chaosml.demo import model as artifact
from chaosml.demo.bad_models import STALE_AT, write_bad_models
from chaosml.demo.dataset import generate
from chaosml.demo.resource_metrics import track_resources
from chaosml.demo.segments import segment_of
from chaosml.demo.train import train


def test_the_bad_models_break_what_their_drills_prove(tmp_path: Path) -> None:
    good = train()
    write_bad_models(good, tmp_path)
    stale = artifact.load(tmp_path / "model-2020.json")
    assert stale.trained_at == STALE_AT and stale.weights == good.weights
    live = generate(500, 2)
    assert math.isnan(artifact.load(tmp_path / "model-nan.json").score(live[0].features))
    shifted = artifact.load(tmp_path / "model-shifted.json")
    live_mean = statistics.fmean(shifted.score(r.features) for r in live)
    assert abs(live_mean - shifted.baseline.prediction_mean) > 0.3  # the M7 rule needs > 0.15
    assert abs(statistics.fmean(good.score(r.features) for r in live) - 0.29) < 0.05


def test_segments_by_age_band() -> None:
    assert segment_of({"age": 65.0}) == "65+"
    assert segment_of({"age": 64.9}) == "50-64"
    assert segment_of({"age": 18}) == "18-29"
    assert segment_of({"age": None}) == "unknown"
    assert segment_of({"age": math.nan}) == "unknown"
    assert segment_of(None) == "unknown"


def test_outside_a_container_the_server_reports_its_own_process() -> None:
    registry = CollectorRegistry()
    track_resources(registry)
    text = generate_latest(registry).decode()
    assert 'model_server_memory_bytes{source="process"}' in text
    assert 'model_server_cpu_seconds_total{source="process"}' in text
