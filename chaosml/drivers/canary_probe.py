"""Probe ``canary``: prediction quality on a labelled canary set sent through the serving API.

The set is a JSON-lines file, one ``{"request": {...}, "label": 0 or 1}`` a line. Each request is
POSTed to ``url`` (a few at a time); an answer is correct when its ``score`` field, thresholded
at ``threshold``, equals the label. ``value`` is the accuracy (0 to 1); an answer that is not 200 or
has no numeric score counts as wrong (harm users see). The example stack ships one
(``chaosml/demo/data/canary.jsonl``, docs/silent-failures.md).
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import Field

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ProbeDriver
from chaosml.errors import InfrastructureError, InputError
from chaosml.io import http_client
from chaosml.model.types import Duration


class CanaryParams(Params):
    url: str = Field(pattern=r"^https?://")
    set: str = Field(min_length=1, description="JSON lines: {request: {...}, label: 0|1}")
    score_field: str = "score"
    threshold: float = Field(default=0.5, ge=0, le=1)
    concurrency: int = Field(default=8, ge=1, le=64)
    timeout: Duration = 5.0


class CanaryProbe(ProbeDriver[CanaryParams]):
    kind = "canary"
    summary = "accuracy of the predictions on a labelled canary set sent through the API"

    def sample(self, params: CanaryParams, ctx: DriverContext) -> Sample:
        cases = read_set(Path(params.set))
        timeout = ctx.remaining(params.timeout)
        with ThreadPoolExecutor(params.concurrency, thread_name_prefix="chaosml:canary") as pool:
            correct = list(pool.map(lambda c: _correct(params, c, timeout), cases))
        accuracy = sum(correct) / len(cases)
        details = {"correct": sum(correct), "total": len(cases), "url": params.url}
        return Sample(value=round(accuracy, 4), details=details)

    def describe(self, params: CanaryParams) -> str:
        return f"canary accuracy of {params.url} on {params.set}"


def read_set(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"canary set {path}: {exc.strerror}") from exc
    cases = [json.loads(line) for line in lines if line.strip()]
    if not cases or any("request" not in c or "label" not in c for c in cases):
        raise InputError(f"canary set {path}: every line needs 'request' and 'label'")
    return cases


def _correct(params: CanaryParams, case: dict[str, Any], timeout: float) -> bool:
    try:
        resp = http_client.request("POST", params.url, json=case["request"], timeout=timeout)
    except InfrastructureError:  # the service not answering is a wrong answer users see
        return False
    body = resp.json()
    score = body.get(params.score_field) if resp.status == 200 and isinstance(body, dict) else None
    if not isinstance(score, int | float) or not math.isfinite(score):
        return False
    return int(score >= params.threshold) == int(case["label"])
