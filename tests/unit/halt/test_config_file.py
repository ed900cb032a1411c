"""chaosml.toml: located problems (file, line, key) for everything wrong with it."""

from __future__ import annotations

import pytest

from chaosml.config_file import parse_config
from chaosml.errors import ValidationError

GOOD = """
[halt]
urls = ["k8s://chaos/halt"]
source_unreachable = "warn"

[[stop_conditions]]
name = "pages"
alertmanager = "http://127.0.0.1:9093"
matchers = { severity = "page" }
"""


def test_a_good_file_is_read() -> None:
    config = parse_config(GOOD, "chaosml.toml")
    assert config.halt.urls == ["k8s://chaos/halt"] and config.halt.source_unreachable == "warn"
    assert config.stop_conditions[0].matchers == {"severity": "page"}


def _problems(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_config(text, "chaosml.toml")
    return caught.value.message


def test_broken_toml_names_the_line() -> None:
    assert "chaosml.toml:3:5: not valid TOML: Invalid value" in _problems(
        '[halt]\nurls = ["a"]\nx = \n'
    )


def test_an_unknown_key_is_located_with_a_suggestion() -> None:
    text = _problems('[halt]\nurls = []\nsource_unreachabel = "warn"\n')
    assert "chaosml.toml:3:1: halt.source_unreachabel: unknown key" in text
    assert "did you mean 'source_unreachable'" in text


def test_a_bad_policy_and_a_missing_matcher_are_both_reported() -> None:
    text = _problems(
        '[halt]\nsource_unreachable = "ignore"\n\n[[stop_conditions]]\nname = "p"\n'
        'alertmanager = "http://am:9093"\n'
    )
    assert "chaosml.toml:2:1: halt.source_unreachable" in text and "'ignore'" in text
    assert "chaosml.toml:4:1: stop_conditions[0].matchers: missing required key" in text
