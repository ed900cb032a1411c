"""ML Test Score monitoring coverage over many runs: would our monitoring notice?

Each experiment names the ML Test Score monitoring tests it proves with ``ml-test-score:M1`` …
``M7`` tags (Breck et al., "The ML Test Score", 2017, section 5). A run *proves* a test when it
checked at least one alert (``expect_alert``) and every alert it expected fired. Pure: runs in,
a ``Coverage`` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from chaosml.reporting.journal_reader import RunReport

ML_MONITORING_TESTS: dict[str, str] = {
    "M1": "Dependency changes result in notification",
    "M2": "Data invariants hold in training and serving inputs",
    "M3": "Training and serving features compute the same values",
    "M4": "Models are not too stale",
    "M5": "The model is numerically stable",
    "M6": "No dramatic or slow-leak regressions in training speed, serving latency, "
    "throughput, or RAM usage",
    "M7": "No regression in prediction quality on served data",
}


@dataclass(frozen=True)
class Evidence:
    """One run's bearing on one test."""

    title: str
    run_id: str
    proved: bool
    reason: str  # why it did not prove it, or which alerts fired


@dataclass
class TestCoverage:
    test: str  # "M1"
    description: str
    proved_by: list[Evidence] = field(default_factory=list)
    failed_by: list[Evidence] = field(default_factory=list)

    @property
    def state(self) -> str:
        """``proved``, ``failed`` (tried, never proved) or ``not covered``."""
        if self.proved_by:
            return "proved"
        return "failed" if self.failed_by else "not covered"


@dataclass
class Coverage:
    tests: list[TestCoverage]

    @property
    def proved(self) -> int:
        return sum(1 for t in self.tests if t.state == "proved")

    @property
    def uncovered(self) -> list[str]:
        return [t.test for t in self.tests if t.state == "not covered"]


def compute_coverage(reports: Sequence[RunReport]) -> Coverage:
    """For each of M1-M7, which runs proved its alert fired and which failed to."""
    tests = {key: TestCoverage(key, text) for key, text in ML_MONITORING_TESTS.items()}
    for report in reports:
        evidence = judge(report)
        for key in report.ml_test_score:
            entry = tests.get(key.upper())
            if entry is not None:
                (entry.proved_by if evidence.proved else entry.failed_by).append(evidence)
    return Coverage(list(tests.values()))


def judge(report: RunReport) -> Evidence:
    """Whether one run proved that the alerts it expected fire."""
    checks = [p for p in report.probes if p.kind == "expect_alert"]
    missed = [p.name for p in checks if not p.ok]
    if report.status in {"refused", "not-steady", "incomplete"} and not checks:
        return Evidence(
            report.title, report.run_id, False, f"run {report.status}: no alert checked"
        )
    if not checks:
        return Evidence(report.title, report.run_id, False, "no expect_alert step")
    if missed:
        return Evidence(report.title, report.run_id, False, "not proved: " + ", ".join(missed))
    fired = ", ".join(a.name for a in report.alerts if a.fired) or ", ".join(p.name for p in checks)
    return Evidence(report.title, report.run_id, True, f"fired: {fired}")


def render_coverage_text(coverage: Coverage) -> str:
    """A plain-text table for terminals and logs."""
    lines = [f"ML Test Score monitoring coverage: {coverage.proved}/7 proved"]
    for t in coverage.tests:
        who = [e.title for e in t.proved_by] or [f"{e.title} ({e.reason})" for e in t.failed_by]
        lines.append(f"  {t.test} {t.state:<12} {t.description[:48]:<48} {'; '.join(who)}")
    return "\n".join(lines)
