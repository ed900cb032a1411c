"""Which alerting rules a drill has proven (pure: rules and history in, coverage out).

A rule is *proven* when a recorded run expected its alert and the alert fired after the fault;
*not fired* when runs expected it and it never fired; *never drilled* when no run expected it.
The ML Test Score monitoring tests (M1-M7, ``reporting.coverage``) a rule covers come from the
rule itself — a label or annotation ``ml_test_score`` (``M6`` or ``M6,M7``) — or from the
``ml-test-score:M*`` tags of the drills that proved it.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from chaosml.history.records import RunRecord, SensitivityRecord
from chaosml.history.rules import AlertRule
from chaosml.reporting.coverage import ML_MONITORING_TESTS

PROVEN = "proven"
NOT_FIRED = "not fired"
NEVER_DRILLED = "never drilled"
RULE_KEYS = ("ml_test_score", "ml-test-score", "mltestscore")
_TEST_ID = re.compile(r"\bM[1-7]\b", re.IGNORECASE)


@dataclass
class RuleCoverage:
    rule: AlertRule
    proved_by: list[RunRecord] = field(default_factory=list)
    tried_by: list[RunRecord] = field(default_factory=list)  # expected it, it did not fire
    times: list[float] = field(default_factory=list)
    boundary: SensitivityRecord | None = None
    ml_tests: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.proved_by:
            return PROVEN
        return NOT_FIRED if self.tried_by else NEVER_DRILLED

    @property
    def last_proved(self) -> RunRecord | None:
        return self.proved_by[-1] if self.proved_by else None

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def rule_coverage(
    rules: Sequence[AlertRule], runs: Sequence[RunRecord], searches: Sequence[SensitivityRecord]
) -> list[RuleCoverage]:
    """One entry per rule name (a rule in several groups counts once), in name order."""
    by_name: dict[str, RuleCoverage] = {}
    for rule in rules:
        by_name.setdefault(rule.name, RuleCoverage(rule))
    for run in runs:
        for result in run.alerts:
            entry = by_name.get(result.alert)
            if entry is None or not result.tested:
                continue
            (entry.proved_by if result.fired else entry.tried_by).append(run)
            if result.time_to_detect_s is not None:
                entry.times.append(result.time_to_detect_s)
    for search in searches:  # oldest first: the newest boundary stays
        if search.alert in by_name:
            by_name[search.alert].boundary = search
    for entry in by_name.values():
        entry.ml_tests = ml_tests_of(entry)
    return [by_name[name] for name in sorted(by_name)]


def ml_tests_of(entry: RuleCoverage) -> list[str]:
    found: set[str] = set()
    for key, value in {**entry.rule.labels, **entry.rule.annotations}.items():
        if key.lower() in RULE_KEYS:
            found.update(m.upper() for m in _TEST_ID.findall(value))
    for run in entry.proved_by:
        found.update(t for t in run.ml_test_score if t in ML_MONITORING_TESTS)
    return sorted(found)
