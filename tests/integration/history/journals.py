"""Journals for the history tests, written with the journal writer's own ``emit`` (the events a
run, a classification and a sensitivity search leave), at chosen wall times."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

from chaosml.redaction import Redactor
from chaosml.reporting.journal_writer import JournalWriter

DAY = 86400.0
T0 = 1_790_000_000.0  # a fixed start, so every backend sees the same times


def write_run(
    path: Path,
    run_id: str,
    *,
    at: float,
    title: str = "Killing the model server fires ModelServerDown",
    alerts: dict[str, float | None] | None = None,
    cells: dict[str, str] | None = None,
    status: str = "completed",
    tags: tuple[str, ...] = ("ml-test-score:M6",),
) -> Path:
    """One run: each alert fired with its time to detect, or (None) did not fire."""
    alerts = {"ModelServerDown": 1.0} if alerts is None else alerts
    with mock.patch("time.time", side_effect=_clock(at)):
        w = JournalWriter(path, run_id, Redactor([]))
        w.emit("run.start", version="0.1.0", title=title, tags=list(tags), command_line=[])
        w.emit("fault.applied", step=0, fault="docker.kill", undo_id=None)
        for name, ttd in alerts.items():
            if ttd is not None:
                w.emit("alert.fired", name=name, time_to_detect_s=ttd, active_at=at + ttd)
        for name, cell in (cells or {}).items():
            w.emit("alert.classified", alert=name, cell=cell)
        w.emit(
            "run.end",
            status=status,
            exit_code=0 if status == "completed" else 1,
            duration_s=12.5,
            pending_undos=[],
            summary={"alerts": [_summary(n, t) for n, t in alerts.items()]},
        )
        w.close()
    return path


def write_search(path: Path, search_id: str, *, at: float, low: float | None, **more: Any) -> Path:
    """A sensitivity search's summary journal: one ``sensitivity.result`` event."""
    fields: dict[str, Any] = {
        "search_id": search_id,
        "title": "NaN features fire NaNFeatures",
        "alert": "NaNFeatures",
        "param": "percent",
        "scale": "log",
        "low_fires": low,
        "high_silent": None if low is None else low / 2,
        "uncertainty": 0.5,
        "trials": 9,
        "duration_s": 300.0,
        "started_at": at,
        **more,
    }
    with mock.patch("time.time", side_effect=_clock(at)):
        w = JournalWriter(path, search_id, Redactor([]))
        w.emit("sensitivity.result", **fields)
        w.close()
    return path


def _summary(name: str, ttd: float | None) -> dict[str, Any]:
    return {"name": name, "fired": ttd is not None, "time_to_detect_s": ttd}


def _clock(start: float) -> Any:
    ticks = iter(range(10_000))
    return lambda: start + next(ticks) * 0.01


def write_trend(directory: Path, times: list[float | None], title: str | None = None) -> list[Path]:
    """One run a day with these times to detect (None: the alert did not fire)."""
    directory.mkdir(parents=True, exist_ok=True)
    extra = {"title": title} if title else {}
    return [
        write_run(
            directory / f"run-{i:02d}.jsonl",
            f"run-{i:02d}",
            at=T0 + i * DAY,
            alerts={"ModelServerDown": ttd},
            status="completed" if ttd is not None else "deviated",
            **extra,  # type: ignore[arg-type]
        )
        for i, ttd in enumerate(times)
    ]
