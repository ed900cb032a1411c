from __future__ import annotations

import pytest

from chaosml.durations import format_duration, parse_duration
from chaosml.errors import ValidationError
from chaosml.loader import load_text
from chaosml.testing import registry_with_fakes

REG = registry_with_fakes()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("10s", 10), ("2m", 120), ("1h", 3600), ("1m30s", 90), (3, 3)],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["5 minutes", "10", "s", "-1s", "1d", ""])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError, match="500ms"):
        parse_duration(bad)


def test_format_duration() -> None:
    assert format_duration(0.25) == "250ms" and format_duration(90) == "1m30s"


EXP = """
version: 1
title: "${name} drill"
vars:
  name: serving
  replicas: 2
  url: ${env:MODEL_URL:-http://127.0.0.1:8080}
secrets:
  token: ${env:TOKEN}
method:
  - probe:
      name: "${name}"
      scripted: {values: ["${url}", "${replicas}", "$${literal}", "Bearer ${token}"]}
"""


def test_vars_env_defaults_overrides_and_secrets() -> None:
    loaded = load_text(EXP, registry=REG, environ={"TOKEN": "t0k3n"}, overrides={"name": "canary"})
    exp = loaded.experiment
    assert exp.title == "canary drill"
    values = exp.method[0].probe.params.values  # type: ignore[union-attr]
    assert values == ["http://127.0.0.1:8080", 2, "${literal}", "Bearer t0k3n"]
    assert loaded.secret_values == ["t0k3n"]
    assert loaded.raw["secrets"] == {"token": "***"}


def test_env_default_and_env_value() -> None:
    loaded = load_text(EXP, registry=REG, environ={"TOKEN": "x", "MODEL_URL": "http://127.0.0.1:9"})
    assert loaded.raw["vars"]["url"] == "http://127.0.0.1:9"


def test_unset_env_without_default_is_located() -> None:
    with pytest.raises(ValidationError) as info:
        load_text(EXP, "e.yaml", registry=REG, environ={})
    problem = info.value.problems[0]
    assert (
        problem.path == "secrets.token"
        and problem.line == 9
        and "TOKEN is not set" in problem.message
    )


def test_an_undo_journals_its_secret_by_reference_and_rollback_resolves_it() -> None:
    from chaosml.substitution import SecretRefs, expand_secrets, missing_secrets

    refs = SecretRefs({"token": "t0$k3n"}, {"token": "${env:MODEL_TOKEN}"})
    undo = {"command": ["curl", "-H", "Authorization: t0$k3n", "http://x/$path"]}
    journaled, used = refs.template(undo)
    assert "t0$k3n" not in str(journaled) and used == {"token": "${env:MODEL_TOKEN}"}
    assert journaled["command"][2] == "Authorization: ${secret:token}"
    assert expand_secrets(journaled, used, {"MODEL_TOKEN": "t0$k3n"}) == undo
    (missing,) = missing_secrets(used, {})
    assert missing.variable == "MODEL_TOKEN"


def test_a_secret_that_is_not_from_the_environment_is_read_from_chaosml_secret_name() -> None:
    loaded = load_text(
        "version: 1\ntitle: t\nsecrets:\n  api-key: literal-value\n"
        'method:\n  - fault: process.run\n    command: ["true"]\n',
        registry=None,
    )
    from chaosml.substitution import missing_secrets

    sources = loaded.secret_refs.template({"x": "literal-value"})[1]
    assert [m.variable for m in missing_secrets(sources, {})] == ["CHAOSML_SECRET_API_KEY"]
