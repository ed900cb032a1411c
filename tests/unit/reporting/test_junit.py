from __future__ import annotations

import xml.etree.ElementTree as ET

from chaosml.reporting.journal_reader import RunReport
from chaosml.reporting.junit import render_junit


def _suites(*reports: RunReport) -> list[ET.Element]:
    root = ET.fromstring(render_junit(list(reports)))
    assert root.tag == "testsuites"
    return root.findall("testsuite")


def test_one_case_per_expectation_all_passing(passed: RunReport) -> None:
    (suite,) = _suites(passed)
    cases = suite.findall("testcase")
    assert len(cases) == len(passed.expectations) == 6
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    names = [c.get("name") for c in cases]
    assert "expect alert ModelServerDown" in names and "ModelServerDown resolves" in names
    assert {c.get("classname", "").rsplit(".", 1)[1] for c in cases} == {
        "steady-state-before",
        "method",
        "recovery",
    }


def test_failures_sit_on_the_failed_expectations(deviated: RunReport) -> None:
    (suite,) = _suites(deviated)
    failed = {c.get("name"): c.find("failure") for c in suite.findall("testcase")}
    assert failed["expect alert FeatureNaN"] is not None
    assert "was not firing" in (failed["expect alert FeatureNaN"].get("message") or "")
    assert failed["score within range"] is not None
    assert failed["latency ok (tolerated)"] is None
    assert failed["model healthy"] is None
    assert suite.get("failures") == "2" and suite.get("tests") == "5"


def test_refused_run_is_one_error_case(refused: RunReport) -> None:
    (suite,) = _suites(refused)
    (case,) = suite.findall("testcase")
    error = case.find("error")
    assert case.get("name") == "run" and error is not None
    assert (error.get("message") or "").startswith("refused: target 'model'")


def test_killed_run_lists_pending_undos(killed: RunReport) -> None:
    (suite,) = _suites(killed)
    error = suite.find("testcase/error")
    assert error is not None and "u1: run kill -CONT 99" in (error.text or "")


def test_totals_add_up_over_runs(
    passed: RunReport, deviated: RunReport, refused: RunReport
) -> None:
    root = ET.fromstring(render_junit([passed, deviated, refused]))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("12", "2", "1")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["run_id"] == refused.run_id  # the last suite's properties win in this dict
