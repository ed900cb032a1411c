"""The stack's alert rules pass `promtool test rules` and its configs pass their checkers."""

from __future__ import annotations

import shutil
import subprocess

from chaosml.demo.monitoring import ALERTMANAGER_CONFIG, RULES_DIR, RULES_FILE
from tests.fixtures.services import require

RULE_TESTS = RULES_DIR / "ml-stack.rules.test.yml"
ML_TEST_SCORE = {f"M{i}" for i in range(1, 8)}


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_rules_are_valid() -> None:
    require(shutil.which("promtool") is not None, "promtool")
    result = _run("promtool", "check", "rules", str(RULES_FILE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_tests_pass() -> None:
    require(shutil.which("promtool") is not None, "promtool")
    result = _run("promtool", "test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alertmanager_config_is_valid() -> None:
    require(shutil.which("amtool") is not None, "amtool")
    result = _run("amtool", "check-config", str(ALERTMANAGER_CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr


def _alerts() -> dict[str, dict[str, str]]:
    import yaml

    groups = yaml.safe_load(RULES_FILE.read_text())["groups"]
    return {r["alert"]: r["labels"] for g in groups for r in g["rules"] if "alert" in r}


def test_every_alert_names_its_ml_test_score_and_the_seven_are_covered() -> None:
    alerts = _alerts()
    assert {labels["ml_test_score"] for labels in alerts.values()} == ML_TEST_SCORE
    assert all(labels.get("severity") in {"page", "ticket"} for labels in alerts.values())


def test_every_alert_has_a_firing_test_case() -> None:
    import yaml

    tests = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    fired = {
        case["alertname"]
        for test in tests
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert fired == set(_alerts())
