"""JUnit XML: one test suite per run, one test case per expectation, so CI shows drills as tests.

An expectation is every ``probe.result`` of the steady-state-before, method and recovery phases
(``expect_alert`` and ``alerts_resolve`` are probe results too). A failed expectation is a
``<failure>``; a probe that could not read its value is an ``<error>``; a tolerated failure
passes with the reason in ``<system-out>``. A run that ended without a verdict on its
expectations (refused, aborted, failed, interrupted, rollback incomplete, cut short) gets one
more case, ``run``, with an ``<error>`` saying why. Pure: runs in, XML text out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from chaosml import escape
from chaosml.journal.events import ProbeResult
from chaosml.reporting.journal_reader import RunReport

RUN_LEVEL_STATUSES = {
    "refused",
    "aborted",
    "failed",
    "interrupted",
    "rollback-incomplete",
    "incomplete",
}


def render_junit(reports: Sequence[RunReport]) -> str:
    """The JUnit XML document for one or more runs."""
    root = ET.Element("testsuites", name="chaosml")
    suites = [_suite(r) for r in reports]
    root.extend(suites)
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", f"{sum(r.duration_s for r in reports):.3f}")
    _escape_tree(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _escape_tree(node: ET.Element) -> None:
    """Every attribute and text made fit for XML 1.0 (control characters removed)."""
    for element in node.iter():
        for key, value in element.attrib.items():
            element.set(key, escape.xml(value))
        if element.text:
            element.text = escape.xml(element.text)


def _suite(report: RunReport) -> ET.Element:
    suite = ET.Element("testsuite", name=report.title or report.run_id, id=report.run_id)
    suite.append(_properties(report))
    cases = [_case(report, p) for p in report.expectations]
    if report.status in RUN_LEVEL_STATUSES:
        cases.append(_run_case(report))
    suite.extend(cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", "0")
    suite.set("time", f"{report.duration_s:.3f}")
    if report.started_wall is not None:
        stamp = datetime.fromtimestamp(report.started_wall, tz=UTC)
        suite.set("timestamp", stamp.strftime("%Y-%m-%dT%H:%M:%S"))
    return suite


def _properties(report: RunReport) -> ET.Element:
    props = ET.Element("properties")
    values = {
        "run_id": report.run_id,
        "status": report.status,
        "exit_code": "" if report.exit_code is None else str(report.exit_code),
        "environment": report.environment or "",
        "experiment_path": report.experiment_path,
        "score": "" if report.score is None else f"{report.score:.3f}",
        "ml_test_score": ",".join(report.ml_test_score),
    }
    values.update({f"warning {i + 1}": w for i, w in enumerate(report.warnings)})
    for f in report.faults:  # evidence of effect, beside each fault
        if f.evidence is not None:
            effect = "no effect" if f.effect is False else "effect"
            values[f"fault {f.undo_id or f.step} {f.name}"] = f"{effect}: {f.evidence}"
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)
    return props


def classname(report: RunReport, phase: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", report.title).strip("_").lower() or "experiment"
    return f"chaosml.{slug}.{phase}"


def case_name(probe: ProbeResult) -> str:
    """The probe's name; alert expectations say what was expected of the alert."""
    if probe.kind == "expect_alert" and not probe.name.startswith("expect alert"):
        return f"alert {probe.name} fires"
    if probe.kind == "alerts_resolve" and "resolve" not in probe.name:
        return f"alert {probe.name} resolves"
    return probe.name


def _case(report: RunReport, probe: ProbeResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=classname(report, probe.phase),
        name=case_name(probe),
        time=f"{probe.duration_s:.3f}",
    )
    if probe.ok:
        return case
    if probe.kind == "expect_alert" and not _tested(report, probe.name):
        ET.SubElement(case, "skipped", message="not tested: the fault before it had no effect")
        return case
    detail = f"kind: {probe.kind}\nexpected: {probe.expect}\nvalue: {probe.value}"
    if probe.tolerated:
        why = probe.error or probe.reason or ""
        ET.SubElement(case, "system-out").text = f"failure tolerated: {why}\n{detail}"
    elif probe.error:
        node = ET.SubElement(case, "error", message=probe.error, type="probe-error")
        node.text = detail
    else:
        message = probe.reason or "expectation not met"
        node = ET.SubElement(case, "failure", message=message, type=probe.kind)
        node.text = detail
    return case


def _tested(report: RunReport, alert: str) -> bool:
    return all(a.tested for a in report.alerts if a.name == alert)


def _run_case(report: RunReport) -> ET.Element:
    case = ET.Element("testcase", classname=classname(report, "run"), name="run", time="0")
    message = f"{report.status}: {report.reason or 'the run did not end'}"
    node = ET.SubElement(case, "error", message=message, type=report.status)
    pending = [f"{f.undo_id}: {f.undo_description}" for f in report.pending]
    node.text = "pending undos:\n" + "\n".join(pending) if pending else message
    return case
