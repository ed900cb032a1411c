"""The demo's drill: the four packaged drills, in order, through the engine, against a stack.

    result = run_drills(env.variables(), out_dir, hooks, with_alerts=True)
    result.verdicts, result.exit_code, result.reports

Each drill is loaded with the environment's variables as its environment (the drills read
``${env:MODEL_URL}`` and friends), run with ``environment="dev"``, and journaled into
``out_dir/journals``; the reports of all of them go to ``out_dir/report``. Without Prometheus
and Alertmanager the drills run in their metrics-only form (``chaosml.demo.metrics_only``).
A drill ended by a signal stops the drill: the rest are not started.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.demo.metrics_only import without_alerts
from chaosml.engine.api import run_experiment
from chaosml.engine.outcome import RunOutcome, Status
from chaosml.engine.state import RunOptions
from chaosml.errors import ChaosMLError
from chaosml.exit_codes import ExitCode, most_severe
from chaosml.journal.writer import Observer
from chaosml.loader import load_source
from chaosml.model.loaded import Loaded
from chaosml.proxy.launcher import start_proxy
from chaosml.reporting.journal_reader import AlertRecord, RunReport, read_journal
from chaosml.yaml_source import read_source

DRILLS_DIR = Path(__file__).parent / "drills"
DRILL_FILES = (
    "feature-latency.yaml",
    "feed-nan.yaml",
    "model-server-killed.yaml",
    "telemetry-silenced.yaml",
)


@dataclass(frozen=True)
class DrillVerdict:
    """How one drill ended, and the alerts its journal says fired."""

    drill: str
    title: str
    status: str
    exit_code: ExitCode
    expected_alerts: tuple[str, ...]
    alerts: tuple[AlertRecord, ...]
    checks: dict[str, bool]  # method-phase probe name -> its expectation held
    journal: Path | None
    duration_s: float
    reason: str = ""


@dataclass
class DemoResult:
    out_dir: Path
    with_alerts: bool
    verdicts: list[DrillVerdict] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return most_severe([v.exit_code for v in self.verdicts])


@dataclass(frozen=True)
class DrillHooks:
    """What the caller plugs in: the live observer of each run, and a call after each run
    (the CLI re-installs its signal handlers there: the engine's loop removes its own)."""

    observer: Callable[[], Observer]
    after_run: Callable[[], None] = lambda: None
    debug: bool = False


def drill_paths() -> list[Path]:
    return [DRILLS_DIR / name for name in DRILL_FILES]


def check_drills_installed() -> None:
    """ChaosMLError (exit 5) naming the drill files this installation lacks."""
    missing = [p.name for p in drill_paths() if not p.is_file()]
    if missing:
        raise ChaosMLError(
            f"the demo's drills are missing from this installation ({DRILLS_DIR}): "
            + ", ".join(missing),
            hint="reinstall chaosml; a build from a checkout needs demo/drills/* in "
            "pyproject.toml's package-data",
        )


@dataclass(frozen=True)
class Drill:
    name: str
    loaded: Loaded
    expected_alerts: tuple[str, ...]  # as the drill file says, also in the metrics-only form


Adapt = Callable[[Any], Any]  # a drill document -> the form this environment runs


def load_drill(
    path: Path, variables: Mapping[str, str], with_alerts: bool, adapt: Adapt | None = None
) -> Drill:
    """Load one drill with ``variables`` on top of this process's environment."""
    source = read_source(path)
    expected = tuple(expected_alerts(source.data))
    if adapt is not None:
        source.data = adapt(source.data)
    if not with_alerts:
        source.data = without_alerts(source.data, variables)
    loaded = load_source(source, {}, {**os.environ, **variables})
    return Drill(path.stem, loaded, expected)


def run_drills(
    variables: Mapping[str, str],
    out_dir: Path,
    hooks: DrillHooks,
    with_alerts: bool,
    adapt: Adapt | None = None,
) -> DemoResult:
    """Run every drill (all loaded first: a broken one runs none); stop at a signal."""
    result = DemoResult(out_dir, with_alerts)
    drills = [load_drill(path, variables, with_alerts, adapt) for path in drill_paths()]
    for drill in drills:
        verdict = _run_one(drill, out_dir / "journals", hooks)
        result.verdicts.append(verdict)
        if verdict.exit_code == ExitCode.INTERRUPTED:
            break
    result.reports = _write_reports(result, out_dir / "report")
    return result


def _run_one(drill: Drill, journal_dir: Path, hooks: DrillHooks) -> DrillVerdict:
    command = ["chaosml", "demo", drill.name]
    options = RunOptions(
        environment="dev",
        journal_dir=journal_dir,
        command_line=command,
        start_proxy=start_proxy,
    )
    observers = [hooks.observer()]
    try:
        outcome = run_experiment(drill.loaded, options, observers=observers, debug=hooks.debug)
    finally:
        hooks.after_run()
    return _verdict(drill, outcome)


def _verdict(drill: Drill, outcome: RunOutcome) -> DrillVerdict:
    report = RunReport()
    if outcome.journal_path is not None and outcome.journal_path.exists():
        report = read_journal(outcome.journal_path)
    return DrillVerdict(
        drill=drill.name,
        title=drill.loaded.experiment.title,
        status=outcome.status.value,
        exit_code=outcome.exit_code,
        expected_alerts=drill.expected_alerts,
        alerts=tuple(report.alerts),
        checks={p.name: p.ok for p in report.probes if p.phase == "method"},
        journal=outcome.journal_path,
        duration_s=report.duration_s,
        reason="" if outcome.status == Status.COMPLETED else outcome.reason,
    )


def _write_reports(result: DemoResult, report_dir: Path) -> list[Path]:
    from chaosml.reporting.report_dir import write_reports

    journals = [v.journal for v in result.verdicts if v.journal and v.journal.exists()]
    return write_reports(journals, report_dir) if journals else []


def expected_alerts(doc: Any) -> list[str]:
    """The alerts a drill's method expects to fire (for the verdict table)."""
    method = doc.get("method") if isinstance(doc, dict) else None
    steps = [s for s in method or [] if isinstance(s, dict) and "expect_alert" in s]
    return [str((s["expect_alert"] or {}).get("name")) for s in steps]
