"""How long chaosml takes to read a long journal and render its reports, against the baseline
of merely parsing the journal's JSON lines (the least any reader must do).

A synthetic one-hour run: 5 observed metrics sampled every second (18,000 samples), 200 probe
results, 20 fault windows, 5 alerts. Run: ``python benchmarks/bench_reports.py``.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import read_journal
from chaosml.reporting.junit import render_junit
from chaosml.reporting.markdown import render_markdown

RUNS = 5
WALL0 = 1_796_000_000.0


def synthetic_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    def emit(kind: str, mono: float, /, **fields: Any) -> None:
        events.append({"event": kind, "seq": len(events), "run_id": "bench", "mono": mono,
                       "wall": WALL0 + mono, **fields})  # fmt: skip

    emit("run.start", 0.0, title="bench", tags=["ml-test-score:M6"], experiment={})
    for phase, at in (("steady-state-before", 0.1), ("method", 60.0), ("rollback", 3300.0)):
        emit("phase", at, name=phase)
    for t in range(3600):
        for m in range(5):
            emit("observe.sample", float(t), name=f"metric {m}", phase="method", value=t % 97)
    for i in range(200):
        emit("probe.result", 60.0 + i * 15, phase="method", name=f"probe {i}", kind="http",
             step=i, ok=i % 10 != 0, tolerated=False, value={"value": i}, expect={"below": 5},
             reason=None if i % 10 else "too high", error=None, weight=1.0, duration_s=0.01)  # fmt: skip
    for i in range(20):
        emit("fault.undo_registered", 100.0 + i * 150, undo_id=f"u{i}", step=i, fault="x",
             name=f"f{i}", target=None, undo={"kind": "x", "data": {}, "description": "d"})  # fmt: skip
        emit("fault.applied", 100.1 + i * 150, undo_id=f"u{i}", step=i, fault="x", name=f"f{i}")
        emit("fault.reverted", 160.0 + i * 150, undo_id=f"u{i}", ok=True, by="rollback")
    for i in range(5):
        emit("alert.fired", 200.0 + i * 500, name=f"A{i}", active_at=WALL0 + 199 + i * 500,
             time_to_detect_s=1.0)  # fmt: skip
        emit("alert.resolved", 400.0 + i * 500, name=f"A{i}", resolved_at=WALL0 + 400 + i * 500)
    emit("run.end", 3600.0, status="completed", exit_code=0, duration_s=3600.0, summary={})
    return events


def best_of(func: Callable[[], object]) -> tuple[float, float]:
    """Best and median seconds over RUNS calls."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def render_all(path: Path) -> list[str]:
    runs = [read_journal(path)]
    return [render(runs) for render in (render_html, render_junit, render_markdown)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        path.write_text("\n".join(json.dumps(e) for e in synthetic_events()) + "\n")
        size = path.stat().st_size
        baseline = best_of(lambda: [json.loads(line) for line in path.read_text().splitlines()])
        read = best_of(lambda: read_journal(path))
        report = read_journal(path)
        html = best_of(lambda: render_html([report]))
        junit = best_of(lambda: render_junit([report]))
        md = best_of(lambda: render_markdown([report]))
        everything = best_of(lambda: render_all(path))
    print(
        f"journal: {size / 1e6:.1f} MB, {len(synthetic_events())} events (best / median of {RUNS})"
    )
    rows = [
        ("baseline: json.loads every line", baseline),
        ("read_journal (parse + summarize)", read),
        ("render_html", html),
        ("render_junit", junit),
        ("render_markdown", md),
        ("read + all three reports", everything),
    ]
    for name, (best, median) in rows:
        print(f"  {name:<34} {best * 1000:8.1f} ms  {median * 1000:8.1f} ms")
    print(f"ratio read_journal / baseline:     {read[0] / baseline[0]:.2f}x")
    print(f"ratio read + all reports / baseline: {everything[0] / baseline[0]:.2f}x")


if __name__ == "__main__":
    main()
