"""chaosml import: every file of the Chaos Toolkit corpus converts, validates, and says what changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from chaosml.cli.app import app
from chaosml.drivers.registry import default_registry
from chaosml.loader import load_file
from chaosml.model.schema import experiment_schema

CORPUS = Path(__file__).resolve().parents[2] / "data" / "ctk"
ENV = {"CTK_TEST_URL": "http://127.0.0.1:1", "CTK_TEST_TOKEN": "tok-123", "CTK_OTHER_TOKEN": "o"}
EXPECTED_EXIT = {
    "all-native.json": 0,
    "http-status.json": 0,
    "extensions.json": 0,
    "tolerances.yaml": 1,
    "config-and-secrets.json": 1,
    "compat-and-dropped.yaml": 1,
}


def _import(path: Path, out: Path) -> Any:
    return CliRunner().invoke(app, ["import", str(path), "-o", str(out)], env=ENV)


def _converted(tmp_path: Path, name: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "out.yaml"
    result = _import(CORPUS / name, out)
    assert result.exit_code == EXPECTED_EXIT[name], result.output
    return yaml.safe_load(out.read_text()), result.output


def test_the_corpus_lists_every_file() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED_EXIT)


@pytest.mark.parametrize("name", sorted(EXPECTED_EXIT))
def test_each_corpus_file_converts_and_the_result_validates(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.yaml"
    result = _import(CORPUS / name, out)
    assert result.exit_code == EXPECTED_EXIT[name], result.output
    assert f"Chaos Toolkit experiment {name}" in out.read_text()
    loaded = load_file(out, environ=ENV)
    assert loaded.experiment.title
    schema = jsonschema.Draft202012Validator(experiment_schema(default_registry()))
    assert not list(
        schema.iter_errors(loaded.raw)
    )  # `chaosml schema` agrees    assert "converted:" in result.output


def test_http_tolerances_become_status_checks_and_arguments_become_a_query(tmp_path: Path) -> None:
    doc, _ = _converted(tmp_path, "http-status.json")
    health, index = doc["steady_state"]
    assert health["expect"] == {"status": 200}
    assert index["expect"] == {"status": [200, 204]}
    assert index["http"]["timeout"] == 3.0  # [connect, read] summed
    assert doc["vars"]["base_url"] == "${env:SERVICE_URL:-http://127.0.0.1:8080}"
    kinds = [next(iter(step)) for step in doc["method"]]
    assert kinds[:3] == ["wait", "action", "wait"]  # pauses before and after
    assert doc["method"][1]["command"] == ["true", "--marker", "x"]


def test_every_tolerance_kind(tmp_path: Path) -> None:
    doc, output = _converted(tmp_path, "tolerances.yaml")
    expects = {p["name"]: p.get("expect") for p in doc["steady_state"]}
    assert expects["a boolean from python"] == {"equals": True}
    assert expects["an integer exit code"] == {"exit_code": 0}
    assert expects["a string from python"] == {"equals": "posix"}
    assert expects["one of these values"] == {"regex": "^(a|b|c)$"}
    assert expects["a two-number list is a range in chaoslib"] == {"between": [1.0, 5.0]}
    assert expects["a range on the body"] == {"between": [0.0, 100.0]}
    assert expects["a regex on stdout"] == {"regex": "^ok"}
    assert expects["a jsonpath with an expected value"] == {
        "json": {"path": "$.status", "equals": "up"}
    }
    assert expects["a jsonpath that must exist"] == {"json": {"path": "$.items[0].id"}}
    assert expects["a probe tolerance"] is None
    assert "a probe tolerance (a Python function judging the value)" in output
    method_probe = doc["method"][0]["probe"]
    assert method_probe["http"]["measure"] == "status"  # target: status
    assert method_probe["tolerate_failure"] is True  # Chaos Toolkit records a method probe


def test_secrets_stay_secrets_and_are_never_inlined(tmp_path: Path) -> None:
    doc, output = _converted(tmp_path, "config-and-secrets.json")
    assert doc["secrets"] == {
        "token": "${env:CTK_TEST_TOKEN}",
        "literal_secret": "s3cr3t",
        "db_password": "${env:CTK_DB_PASSWORD:-}",
        "other_token": "${env:CTK_OTHER_TOKEN}",
    }
    request = doc["method"][0]
    assert request["action"] == "http.request"
    assert request["headers"]["Authorization"] == "Bearer ${token}"
    assert request["json"] == {"drain": True}
    assert "tok-123" not in (tmp_path / "out.yaml").read_text()
    assert "a vault value is not computed by chaosml" in output
    assert doc["vars"]["computed"] == "${env:CTK_COMPUTED:-}"


def test_well_known_extensions_become_native_steps_with_targets(tmp_path: Path) -> None:
    doc, _ = _converted(tmp_path, "extensions.json")
    steps = [s for s in doc["method"] if "fault" in s]
    assert [s["fault"] for s in steps] == [
        "k8s.pod.delete",
        "k8s.scale",
        "proxy.latency",
        "docker.kill",
    ]
    pods = doc["blast_radius"]["targets"][steps[0]["target"]]
    assert pods == {
        "k8s": {"kind": "pod", "namespace": "ml", "labels": {"app": "model"}},
        "count": 1,
    }
    assert steps[2]["latency"] == 0.25 and steps[2]["background"] is True
    assert doc["blast_radius"]["namespaces"] == ["ml"]
    assert doc["steady_state"][2]["prometheus"]["url"] == "${prometheus_base_url}"
    assert doc["steady_state"][1]["expect"] == {"above": 0}  # the function's own check
    assert doc["steady_state"][3]["expect"] == {"equals": 1.0}  # $.data.result[0].value[1]
    not_available = doc["method"][1]["probe"]
    assert not_available["k8s"]["selector"] == "name in (model-old)"
    assert not_available["expect"] == {"equals": 0}
    assert [r.get("action") for r in doc["rollbacks"]] == ["k8s.scale"]  # delete_toxic: the undo


def test_compatibility_steps_refs_controls_and_shell_strings(tmp_path: Path) -> None:
    doc, output = _converted(tmp_path, "compat-and-dropped.yaml")
    method = doc["method"]
    assert method[0] == {
        "action": "python.call",
        "call": "myorg.faults:break_it",
        "args": {"how": "slowly"},
        "name": "custom fault",
    }
    assert method[1]["command"] == "sh -c 'echo a | grep a'" and method[1]["shell"] is True
    assert method[2]["command"] == ["echo", "--flag", "value", "$${name}"]
    assert method[3]["probe"]["python"]["call"] == "myorg.checks:healthy"  # the ref, resolved
    for dropped in (
        "controls: not converted",
        "extensions: not converted",
        "runtime: not converted",
    ):
        assert dropped in output
    assert "background: only a fault runs in the background" in output


def test_validate_and_run_point_a_chaos_toolkit_file_to_import() -> None:
    path = CORPUS / "all-native.json"
    for command in (["validate", str(path)], ["run", str(path)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2
        assert f"this is a Chaos Toolkit experiment: chaosml import {path}" in result.output


def test_a_chaosml_experiment_is_not_imported(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("version: 1\ntitle: t\nsteady_state: []\nmethod: [{wait: 1s}]\n")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 2
    assert "not a Chaos Toolkit experiment: it is already a chaosml experiment" in result.output


def test_a_broken_chaos_toolkit_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    doc = {"title": "t", "steady-state-hypothesis": {"probes": []}, "method": [{"type": "action"}]}
    path.write_text(json.dumps(doc, indent=1))
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "method[0]" in result.output
    assert "Traceback" not in result.output


def test_validate_warns_of_a_python_module_that_is_not_installed(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    _import(CORPUS / "compat-and-dropped.yaml", out)
    result = CliRunner().invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning: the Python module 'myorg.faults' is not installed here" in result.output


def test_the_migration_guide_lists_every_native_extension() -> None:
    from chaosml.ctk.extensions import EXTENSIONS

    page = (Path(__file__).resolve().parents[3] / "docs" / "migrating.md").read_text()
    for module, func in EXTENSIONS:
        assert func in page and module in page, f"{module}.{func} is missing from docs/migrating.md"


def test_a_tolerance_target_that_is_not_a_name_is_dropped_not_a_crash(tmp_path: Path) -> None:
    """Found by the hypothesis test: ``target: []`` crashed the conversion."""
    path = tmp_path / "ctk.json"
    tolerance = {"type": "range", "range": [0, 1], "target": []}
    probe = {
        "type": "probe",
        "name": "p",
        "tolerance": tolerance,
        "provider": {"type": "http", "url": "http://127.0.0.1:1/"},
    }
    doc = {"title": "t", "steady-state-hypothesis": {"probes": [probe]}, "method": []}
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["import", str(path), "-o", str(tmp_path / "o.yaml")])
    assert result.exit_code == 1, result.output
    assert "target [] is not a key name" in result.output
