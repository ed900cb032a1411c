"""``sensitivity:``, ``impact:`` and ``expect_no_alert:`` validate like the rest of the format:
located problems, exit 2 from the CLI, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chaosml.cli.app import app
from chaosml.errors import ValidationError
from chaosml.loader import load_text
from chaosml.testing import registry_with_fakes

BASE = """
version: 1
title: t
method:
  - fault: proxy.latency
    proxy: {api: "http://127.0.0.1:1", name: features}
    latency: 300ms
  - expect_alert:
      name: HighP99Latency
      source: {prometheus: "http://127.0.0.1:1"}
"""


def problems(extra: str) -> str:
    with pytest.raises(ValidationError) as caught:
        load_text(BASE + textwrap.dedent(extra), "exp.yaml", registry=registry_with_fakes())
    return str(caught.value)


def test_a_valid_sensitivity_section_loads() -> None:
    text = (
        BASE
        + "sensitivity: {step: 0, param: latency, low: 0.01, high: 0.6, alert: HighP99Latency}\n"
    )
    loaded = load_text(text, "exp.yaml", registry=registry_with_fakes())
    spec = loaded.experiment.sensitivity
    assert spec is not None and (spec.scale, spec.trials_per_point) == ("log", 1)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "{step: 1, param: latency, low: 1, high: 2, alert: HighP99Latency}",
            "method[1] is not a fault",
        ),
        (
            "{step: 0, param: latncy, low: 1, high: 2, alert: HighP99Latency}",
            "'latncy' is not a parameter of proxy.latency",
        ),
        ("{step: 0, param: direction, low: 1, high: 2, alert: HighP99Latency}", "is not numeric"),
        ("{step: 0, param: latency, low: 1, high: 2, alert: Nope}", "alert 'Nope' is not expected"),
        (
            "{step: 0, param: latency, low: 2, high: 1, alert: HighP99Latency}",
            "high (1) must be above low (2)",
        ),
        (
            "{step: 0, param: latency, low: 0, high: 1, alert: HighP99Latency}",
            "log scale needs low > 0",
        ),
        ("{step: 0, param: latency, low: 1, high: 2, alert: HighP99Latency, trials: 3}", "trials"),
    ],
)
def test_a_bad_sensitivity_section_is_a_located_problem(section: str, expected: str) -> None:
    text = problems(f"sensitivity: {section}\n")
    assert expected in text
    assert "exp.yaml:" in text and "sensitivity" in text


def test_expect_no_alert_needs_exactly_one_source() -> None:
    text = problems("expect_no_alert:\n  - {name: X, source: {}}\n")
    assert "expect_no_alert[0].source" in text and "exactly one alert source" in text


def test_impact_probes_are_validated_like_any_probe() -> None:
    text = problems("impact:\n  - {name: acc, htp: {url: 'http://127.0.0.1:1'}}\n")
    assert "impact[0].htp" in text


def test_the_cli_refuses_a_bad_section_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(BASE + "sensitivity: {step: 0, param: latency, low: 1, high: 2, alert: Nope}\n")
    result = CliRunner().invoke(app, ["sensitivity", str(path)])
    assert result.exit_code == 2
    assert "alert 'Nope' is not expected" in result.output
    assert "Traceback" not in result.output


def test_the_cli_refuses_an_experiment_without_a_sensitivity_section(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(BASE)
    result = CliRunner().invoke(app, ["sensitivity", str(path)])
    assert result.exit_code == 2 and "no 'sensitivity:' section" in result.output


def test_the_json_schema_knows_the_new_sections() -> None:
    from chaosml.model.schema import experiment_schema

    properties = experiment_schema(registry_with_fakes())["properties"]
    assert {"sensitivity", "impact", "expect_no_alert"} <= set(properties)
    assert "trials_per_point" in properties["sensitivity"]["properties"]
