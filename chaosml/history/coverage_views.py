"""``chaosml coverage`` output: terminal text, Markdown, JSON and HTML of the rule coverage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chaosml import escape
from chaosml.history.formatting import number, seconds, when
from chaosml.history.rule_coverage import PROVEN, RuleCoverage
from chaosml.reporting.html import CSS
from chaosml.reporting.html import _table as table  # the reports' one table helper


def headline(entries: Sequence[RuleCoverage], source: str) -> str:
    proven = sum(1 for e in entries if e.state == PROVEN)
    return (
        f"Alert coverage of {source}: {len(entries)} alerting rule(s), {proven} proven by a "
        f"drill, {len(entries) - proven} never proven"
    )


def proof_text(e: RuleCoverage) -> str:
    last = e.last_proved
    if last is None:
        runs = len(e.tried_by)
        return f"expected in {runs} run(s), never fired" if runs else "no drill expects it"
    return f"{when(last.started_at)} by {last.title!r} (run {last.run_id})"


def ttd_text(e: RuleCoverage) -> str:
    if not e.times:
        return "—"
    return f"{seconds(e.times[-1])} (median {seconds(e.median_s)}, {len(e.times)} run(s))"


def boundary_text(e: RuleCoverage) -> str:
    b = e.boundary
    if b is None:
        return "—"
    return f"{b.param} ≥ {number(b.low_fires)} ± {number(b.uncertainty)}"


def render_text(entries: Sequence[RuleCoverage], source: str) -> str:
    lines = [headline(entries, source)]
    for e in entries:
        mark = "✓" if e.state == PROVEN else "✗"
        tests = ",".join(e.ml_tests) or "-"
        lines.append(
            f"  {mark} {e.rule.name:<28} {e.state:<13} {tests:<8} {proof_text(e)}"
            f"  TTD {ttd_text(e)}  sensitivity {boundary_text(e)}"
        )
    return escape.plain("\n".join(lines)) + "\n"


def render_markdown(entries: Sequence[RuleCoverage], source: str) -> str:
    rows = [
        "| rule | state | ML Test Score | proven | time to detect | sensitivity |",
        "|---|---|---|---|---|---|",
    ]
    for e in entries:
        tests = ", ".join(e.ml_tests) or "—"
        cells = (e.rule.name, e.state, tests, proof_text(e), ttd_text(e), boundary_text(e))
        rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return f"## {_md(headline(entries, source))}\n\n" + "\n".join(rows) + "\n"


def render_json(entries: Sequence[RuleCoverage], source: str) -> str:
    return (
        json.dumps({"prometheus": source, "rules": [_object(e) for e in entries]}, indent=1) + "\n"
    )


def _object(e: RuleCoverage) -> dict[str, Any]:
    last = e.last_proved
    b = e.boundary
    return {
        "alert": e.rule.name,
        "group": e.rule.group,
        "state": e.state,
        "ml_test_score": e.ml_tests,
        "proved_by_runs": len(e.proved_by),
        "expected_without_firing": len(e.tried_by),
        "last_proved": None
        if last is None
        else {"run_id": last.run_id, "title": last.title, "started_at": last.started_at},
        "time_to_detect_s": e.times[-1] if e.times else None,
        "median_time_to_detect_s": e.median_s,
        "sensitivity": None
        if b is None
        else {"param": b.param, "low_fires": b.low_fires, "uncertainty": b.uncertainty},
    }


def render_html(entries: Sequence[RuleCoverage], source: str) -> str:
    rows = [
        (
            escape.html(e.rule.name),
            f"<span class='{'ok' if e.state == PROVEN else 'fail'}'>{e.state}</span>",
            escape.html(", ".join(e.ml_tests) or "—"),
            escape.html(proof_text(e)),
            escape.html(ttd_text(e)),
            escape.html(boundary_text(e)),
        )
        for e in entries
    ]
    head = ("rule", "state", "ML Test Score", "proven", "time to detect", "sensitivity")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>chaosml alert coverage</title>"
        f"<style>{CSS}</style></head><body><h1>Alert coverage</h1>"
        f"<p>{escape.html(headline(entries, source))}</p>{table(head, rows)}</body></html>\n"
    )


def _md(text: str) -> str:
    return escape.markdown(text).replace("\n", " ").strip()
