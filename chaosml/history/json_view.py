"""``chaosml history --json``: a JSON array, one object per run (oldest first) — run id, title,
status, exit code, start time, the time to detect of each alert, the regressions flagged on it —
followed by one object per sensitivity search (``"kind": "sensitivity"``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from chaosml.history.records import RunRecord, SensitivityRecord
from chaosml.history.trends import HistoryView, Regression


def render_json(view: HistoryView) -> str:
    items = [run_object(r, view.regressions_of(r.run_id)) for r in view.runs]
    items += [search_object(s, view.regressions_of(s.search_id)) for s in view.searches]
    return json.dumps(items, indent=1) + "\n"


def run_object(run: RunRecord, regressions: list[Regression]) -> dict[str, Any]:
    return {
        "kind": run.kind,
        "run_id": run.run_id,
        "title": run.title,
        "status": run.status,
        "exit_code": run.exit_code,
        "started_at": _iso(run.started_at),
        "duration_s": run.duration_s,
        "drill_id": run.drill_id or None,
        "tags": list(run.tags),
        "alerts": {
            a.alert: {
                "fired": a.fired,
                "tested": a.tested,
                "time_to_detect_s": a.time_to_detect_s,
                "time_to_notify_s": a.time_to_notify_s,
            }
            for a in run.alerts
        },
        "classification": {c.alert: c.cell for c in run.classifications},
        "regressions": [_regression(r) for r in regressions],
    }


def search_object(search: SensitivityRecord, regressions: list[Regression]) -> dict[str, Any]:
    found = asdict(search)
    found.pop("source")
    return {
        "kind": "sensitivity",
        **found,
        "started_at": _iso(search.started_at),
        "regressions": [_regression(r) for r in regressions],
    }


def _regression(r: Regression) -> dict[str, str]:
    return {"kind": r.kind, "alert": r.alert, "title": r.title, "message": r.message}


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).isoformat()
