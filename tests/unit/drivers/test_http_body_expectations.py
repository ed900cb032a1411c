"""``contains``/``regex`` on an HTTP probe's JSON body read the body's own text."""

from __future__ import annotations

from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.http_probe import HttpProbe
from chaosml.model.expectations import Expect, evaluate
from tests.fixtures.http_servers import QuietHandler, serving


class NaNFeatures(QuietHandler):
    def do_GET(self) -> None:
        self.reply(200, b'{"features": {"age": NaN, "income": 1e3}}')


def sample_of_nan_features() -> Sample:
    probe = HttpProbe()
    with serving(NaNFeatures) as url:
        params = probe.params_model.model_validate({"url": f"{url}/features"})
        return probe.sample(params, DriverContext(run_id="r"))


def test_contains_nan_matches_a_body_containing_nan() -> None:
    sample = sample_of_nan_features()
    assert evaluate(Expect.model_validate({"contains": "NaN"}), sample) is None
    assert evaluate(Expect.model_validate({"regex": r'"age": NaN'}), sample) is None


def test_contains_reports_the_raw_body_when_it_fails() -> None:
    sample = sample_of_nan_features()
    reason = evaluate(Expect.model_validate({"contains": "null"}), sample)
    assert reason is not None and "NaN" in reason and "nan" not in reason


def test_json_path_still_checks_the_structure() -> None:
    sample = sample_of_nan_features()
    expect = Expect.model_validate({"json": {"path": "$.features.income", "equals": 1000.0}})
    assert evaluate(expect, sample) is None
