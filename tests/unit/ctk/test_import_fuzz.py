"""No traceback on any input: generated and mutated Chaos Toolkit documents given to import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chaosml.cli.app import app

CORPUS = Path(__file__).resolve().parents[2] / "data" / "ctk"
SEEDS = [
    json.loads(p.read_text()) if p.suffix == ".json" else yaml.safe_load(p.read_text())
    for p in sorted(CORPUS.iterdir())
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["${x}", "$${y}", "http://127.0.0.1:1/", "${env:Z}"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "provider",
                    "name",
                    "tolerance",
                    "arguments",
                    "url",
                    "path",
                    "module",
                    "func",
                    "ref",
                    "pauses",
                    "range",
                    "pattern",
                    "target",
                    "key",
                    "default",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _check(doc: Any, tmp_path: Path) -> None:
    path = tmp_path / "ctk.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out.yaml"
    out.unlink(missing_ok=True)
    result = CliRunner().invoke(app, ["import", str(path), "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code in (0, 1):
        assert out.read_text().startswith("# Converted by `chaosml import`")


@SETTINGS
@given(
    title=st.text(max_size=8) | values,
    hypothesis_=values,
    method=st.lists(values, max_size=4) | values,
    rollbacks=values,
    configuration=values,
    secrets=values,
)
def test_generated_documents(
    tmp_path_factory: Any,
    title: Any,
    hypothesis_: Any,
    method: Any,
    rollbacks: Any,
    configuration: Any,
    secrets: Any,
) -> None:
    doc = {
        "title": title,
        "steady-state-hypothesis": hypothesis_,
        "method": method,
        "rollbacks": rollbacks,
        "configuration": configuration,
        "secrets": secrets,
    }
    _check(doc, tmp_path_factory.mktemp("gen"))


def _mutate(doc: Any, path: list[int], replacement: Any) -> Any:
    """Replace the node reached by walking ``path`` (indices modulo each container's size)."""
    if not path or not isinstance(doc, dict | list) or not doc:
        return replacement
    keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
    key = keys[path[0] % len(keys)]
    copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[key] = _mutate(doc[key], path[1:], replacement)
    return copy


@SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    path=st.lists(st.integers(0, 50), min_size=1, max_size=6),
    replacement=values,
)
def test_mutated_corpus_documents(
    tmp_path_factory: Any, seed: Any, path: list[int], replacement: Any
) -> None:
    _check(_mutate(seed, path, replacement), tmp_path_factory.mktemp("mut"))
