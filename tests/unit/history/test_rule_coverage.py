"""Alerting rules against the history (chaosml.history.rule_coverage)."""

from __future__ import annotations

import json

from chaosml.history import coverage_views
from chaosml.history.records import AlertResult, RunRecord
from chaosml.history.rule_coverage import NEVER_DRILLED, NOT_FIRED, PROVEN, rule_coverage
from chaosml.history.rules import AlertRule


def run(run_id: str, alert: str, fired: bool, tags: tuple[str, ...] = ()) -> RunRecord:
    result = AlertResult(alert, fired, True, 1.5 if fired else None)
    return RunRecord(run_id, "drill", "completed", 0, 1000.0, tags=tags, alerts=(result,))


def test_states_times_and_ml_test_score_from_rule_or_drill() -> None:
    rules = [
        AlertRule("Proven", "g", "up == 0", 0.0),
        AlertRule("Tried", "g", "x", 0.0, labels={"ml_test_score": "m2, M3"}),
        AlertRule("Never", "g", "y", 0.0, annotations={"ml-test-score": "M4"}),
        AlertRule("Proven", "other-group", "up == 0", 0.0),  # the same alert twice: once
    ]
    history = [
        run("r1", "Proven", True, ("ml-test-score:M6", "ml-test-score:M9")),
        run("r2", "Tried", False),
    ]
    found = {c.rule.name: c for c in rule_coverage(rules, history, [])}
    assert list(found) == ["Never", "Proven", "Tried"]
    assert found["Proven"].state == PROVEN and found["Proven"].ml_tests == ["M6"]
    assert found["Proven"].times == [1.5] and found["Proven"].last_proved == history[0]
    assert found["Tried"].state == NOT_FIRED and found["Tried"].ml_tests == ["M2", "M3"]
    assert found["Never"].state == NEVER_DRILLED and found["Never"].ml_tests == ["M4"]


def test_every_output_names_the_rule_no_drill_proves() -> None:
    rules = [AlertRule("Proven", "g", "x", 0.0), AlertRule("Never<b>", "g", "y", 0.0)]
    entries = rule_coverage(rules, [run("r1", "Proven", True)], [])
    text = coverage_views.render_text(entries, "http://prom")
    assert "2 alerting rule(s), 1 proven by a drill, 1 never proven" in text
    assert "✗ Never<b>" in text and "no drill expects it" in text
    assert "| Never&lt;b&gt; | never drilled |" in coverage_views.render_markdown(entries, "p")
    page = coverage_views.render_html(entries, "p")
    assert "Never&lt;b&gt;" in page and "<span class='fail'>never drilled</span>" in page
    found = json.loads(coverage_views.render_json(entries, "p"))["rules"]
    assert [(r["alert"], r["state"]) for r in found] == [
        ("Never<b>", "never drilled"),
        ("Proven", "proven"),
    ]
