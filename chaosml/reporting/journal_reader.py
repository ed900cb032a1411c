"""A journal (docs/journal.md) folded into one typed summary of the run.

``summarize(events)`` is pure: it takes the typed events of one run, in order, and returns a
``RunReport`` that every renderer (HTML, JUnit, Markdown, coverage) works from. ``read_journal``
reads the file through the one journal reader (``chaosml.journal.reader``). A journal cut short
by a killed runner (no ``run.end``) still reads: its status is ``incomplete``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.journal import events as ev
from chaosml.journal.base import JournalEvent, number_text
from chaosml.journal.reader import load_events
from chaosml.journal.runs import split_runs

INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class PhaseSpan:
    name: str
    start: float  # mono seconds
    end: float


@dataclass
class FaultWindow:
    """A fault from applied to reverted (``end`` None: never reverted)."""

    undo_id: str | None
    step: int | None
    fault: str
    name: str
    target: str | None
    description: str
    start: float | None = None  # mono seconds
    end: float | None = None
    reverted_ok: bool | None = None
    reverted_by: str | None = None
    attempts: int = 0
    error: str | None = None
    undo_description: str = ""
    effect: bool | None = None  # from ``fault.evidence``: None when the fault gave none
    evidence: str | None = None  # its one-line summary


@dataclass
class AlertRecord:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    source: Any = None
    fired_at: float | None = None  # mono seconds of the alert's own activeAt
    time_to_detect_s: float | None = None
    time_to_detect_uncertainty_s: float | None = None  # the source's clock offset (issue 21)
    proven: bool | None = None  # False: already active before the fault (issue 20)
    not_counted: list[dict[str, Any]] = field(default_factory=list)  # other instances, with why
    resolved_at: float | None = None
    time_to_resolve_s: float | None = None
    tested: bool = True  # False: the fault before it had no effect, so it was not tested

    @property
    def fired(self) -> bool:
        return self.fired_at is not None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


@dataclass(frozen=True)
class SamplePoint:
    at: float  # mono seconds
    phase: str
    value: float | None
    error: str | None = None


@dataclass(frozen=True)
class GuardBreach:
    name: str
    value: Any
    reason: str
    error: str | None
    at: float


@dataclass(frozen=True)
class RollbackStep:
    step: int | None
    name: str
    action: str
    ok: bool
    error: str | None


@dataclass(frozen=True)
class TargetInfo:
    name: str
    kind: str
    matched: int
    members: tuple[str, ...]  # member names
    require_label: str | None


@dataclass
class RunReport:
    """Everything a report shows about one run."""

    run_id: str = ""
    title: str = ""
    version: str = ""
    tags: list[str] = field(default_factory=list)
    experiment_path: str = ""
    experiment: dict[str, Any] = field(default_factory=dict)
    command_line: list[str] = field(default_factory=list)
    environment: str | None = None
    started_wall: float | None = None
    wall_offset: float = 0.0  # wall = mono + wall_offset
    status: str = INCOMPLETE
    exit_code: int | None = None
    reason: str = ""
    ended_by: str = ""
    duration_s: float = 0.0
    pending_undos: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    phases: list[PhaseSpan] = field(default_factory=list)
    targets: list[TargetInfo] = field(default_factory=list)
    probes: list[ev.ProbeResult] = field(default_factory=list)
    faults: list[FaultWindow] = field(default_factory=list)
    alerts: list[AlertRecord] = field(default_factory=list)
    timeline: dict[str, list[SamplePoint]] = field(default_factory=dict)
    guard_breaches: list[GuardBreach] = field(default_factory=list)
    rollback_steps: list[RollbackStep] = field(default_factory=list)
    source: str = ""  # where the journal was read from
    watchdog: str = ""  # what guarded the run against its runner's death (chaosml.watchdog)
    warnings: list[str] = field(default_factory=list)  # source.warning (insecure TLS)

    @property
    def expectations(self) -> list[ev.ProbeResult]:
        return [p for p in self.probes if p.is_expectation]

    @property
    def score(self) -> float | None:
        """Weighted share of expectations met (0 to 1), as the journal's summary says when it does;
        otherwise computed from the probe results. None when there were no expectations."""
        recorded = self.summary.get("score")
        if isinstance(recorded, int | float) and not isinstance(recorded, bool):
            return float(recorded)
        if self.not_run or self.status == INCOMPLETE:  # the run did not finish: no score
            return None
        weighed = [p for p in self.expectations if p.weight > 0]
        total = sum(p.weight for p in weighed)
        if total == 0:
            return None
        return sum(p.weight for p in weighed if p.ok or p.tolerated) / total

    @property
    def not_run(self) -> list[str]:
        """What a stopped run did not get to (method steps, recovery); a killed run: unknown."""
        return [str(item) for item in self.summary.get("not_run") or []]

    @property
    def pending(self) -> list[FaultWindow]:
        """Faults whose undo never succeeded: they may still be in place."""
        return [f for f in self.faults if f.undo_id is not None and f.reverted_ok is not True]

    @property
    def expectations_met(self) -> int:
        return sum(1 for p in self.expectations if p.ok or p.tolerated)

    @property
    def ml_test_score(self) -> list[str]:
        return [t.split(":", 1)[1] for t in self.tags if t.startswith("ml-test-score:")]

    @property
    def end_mono(self) -> float:
        return self.duration_s or (self.phases[-1].end if self.phases else 0.0)


def read_journal(path: str | Path) -> RunReport:
    """Read one journal file (its last run, when several were appended to it); InputError
    (exit 2) when it is missing or not a journal."""
    return read_runs(path)[-1]


def read_runs(path: str | Path) -> list[RunReport]:
    """One report per run in the journal file, in the order they started."""
    reports = [summarize(run.events) for run in split_runs(load_events(path))]
    for report in reports:
        report.source = str(path)
    return reports


def summarize(events: Iterable[JournalEvent]) -> RunReport:
    """Fold the events of one run, in order, into a RunReport (pure)."""
    report = RunReport()
    builder = _Builder(report)
    for event in events:
        builder.add(event)
    builder.finish()
    return report


class _Builder:
    """Applies events one by one; one small method per event type."""

    def __init__(self, report: RunReport) -> None:
        self.report = report
        self.faults_by_undo: dict[str, FaultWindow] = {}
        self.last_mono = 0.0
        self.open_phase: tuple[str, float] | None = None
        self.last_applied_mono: float | None = None

    def add(self, event: JournalEvent) -> None:
        self.last_mono = self.last_mono if event.mono is None else event.mono
        handler = getattr(self, "on_" + event.event.replace(".", "_"), None)
        if handler is not None:
            handler(event)

    def finish(self) -> None:
        self._close_phase(self.report.duration_s or self.last_mono)
        if not self.report.duration_s:
            self.report.duration_s = self.last_mono

    def to_mono(self, wall: float | None, default: float) -> float:
        return default if wall is None else wall - self.report.wall_offset

    def on_run_start(self, e: ev.RunStarted) -> None:
        r = self.report
        r.run_id = e.run_id or ""
        r.title = e.title
        r.version = e.version
        r.tags = list(e.tags)
        r.experiment_path = e.experiment_path or ""
        r.experiment = dict(e.experiment or {})
        r.command_line = list(e.command_line)
        r.environment = e.environment
        r.started_wall = e.wall
        r.wall_offset = (e.wall or 0.0) - (e.mono or 0.0)

    def on_phase(self, e: ev.PhaseEntered) -> None:
        self._close_phase(self.last_mono)
        self.open_phase = (e.name, self.last_mono)

    def _close_phase(self, end: float) -> None:
        if self.open_phase is not None:
            name, start = self.open_phase
            self.report.phases.append(PhaseSpan(name, start, max(start, end)))
            self.open_phase = None

    def on_target_resolved(self, e: ev.TargetResolved) -> None:
        t = e.target
        members = tuple(str(m.name or m.id) for m in t.members or [])
        info = TargetInfo(t.name, t.kind, t.matched, members, e.require_label)
        self.report.targets.append(info)

    def on_probe_result(self, e: ev.ProbeResult) -> None:
        self.report.probes.append(e.model_copy(update={"mono": self.last_mono}))

    def on_observe_sample(self, e: ev.ObserveSample) -> None:
        value = e.value
        number = float(value) if _a_number(value) else None
        point = SamplePoint(self.last_mono, e.phase or "", number, e.error)
        self.report.timeline.setdefault(e.name, []).append(point)

    def on_fault_undo_registered(self, e: ev.FaultUndoRegistered) -> None:
        window = self._window(e)
        window.undo_description = e.undo.description
        if window.undo_id is not None:
            self.faults_by_undo[window.undo_id] = window

    def on_fault_applied(self, e: ev.FaultApplied) -> None:
        undo_id = e.undo_id
        window = self.faults_by_undo.get(undo_id) if undo_id else None
        if window is None:
            window = self._window(e)
            if undo_id:
                self.faults_by_undo[undo_id] = window
        window.start = self.last_mono
        window.description = e.description or window.description
        self.last_applied_mono = self.last_mono
        if undo_id is None:
            window.end = self.last_mono  # a fault with no undo is a moment, not a window

    def _window(self, e: ev.FaultApplied | ev.FaultUndoRegistered) -> FaultWindow:
        window = FaultWindow(
            undo_id=e.undo_id,
            step=e.step,
            fault=e.fault,
            name=e.name or e.fault,
            target=e.target,
            description=(e.description if isinstance(e, ev.FaultApplied) else None) or "",
        )
        self.report.faults.append(window)
        return window

    def on_fault_reverted(self, e: ev.FaultReverted) -> None:
        window = self.faults_by_undo.get(e.undo_id)
        if window is None:
            return
        if e.ok:
            window.end = self.last_mono
        window.reverted_ok = e.ok
        window.reverted_by = e.by
        window.attempts = e.attempts or 0
        window.error = e.error

    def on_fault_evidence(self, e: ev.FaultEvidence) -> None:
        window = self.faults_by_undo.get(str(e.undo_id))
        if window is None:
            window = next((f for f in self.report.faults if f.step == e.step), None)
        if window is not None:
            window.effect = e.effect
            window.evidence = e.summary or ""

    def on_alert_fired(self, e: ev.AlertFired) -> None:
        alert = self._alert(e.name)
        alert.labels = dict(e.labels or {})
        alert.source = e.source
        alert.fired_at = self.to_mono(e.active_at, self.last_mono)
        alert.time_to_detect_s = e.time_to_detect_s
        alert.time_to_detect_uncertainty_s = e.time_to_detect_uncertainty_s
        alert.proven = e.proven
        alert.not_counted = list(e.not_counted or [])

    def on_alert_resolved(self, e: ev.AlertResolved) -> None:
        alert = self._alert(e.name)
        alert.resolved_at = self.to_mono(e.resolved_at, self.last_mono)
        alert.time_to_resolve_s = e.time_to_resolve_s

    def _alert(self, name: str) -> AlertRecord:
        for alert in self.report.alerts:
            if alert.name == name:
                return alert
        alert = AlertRecord(name)
        self.report.alerts.append(alert)
        return alert

    def _not_tested(self, alert: str) -> None:
        """Its expectation says why it was not tested, never that it did not fire."""
        why = "not tested: the fault before it had no effect"
        self.report.probes = [
            p.model_copy(update={"reason": why})
            if p.kind == "expect_alert" and p.name == alert
            else p
            for p in self.report.probes
        ]

    def on_guard_breach(self, e: ev.GuardBreached) -> None:
        breach = GuardBreach(e.name, e.value, e.reason or "", e.error, self.last_mono)
        self.report.guard_breaches.append(breach)

    def on_rollback_step(self, e: ev.RollbackStepRan) -> None:
        self.report.rollback_steps.append(
            RollbackStep(e.step, e.name or e.action, e.action, e.ok, e.error)
        )

    def on_watchdog_started(self, e: ev.WatchdogStarted) -> None:
        self.report.watchdog = f"on (pid {e.pid})"

    def on_source_warning(self, e: ev.SourceWarning) -> None:
        self.report.warnings.append(e.warning or "")

    def on_watchdog_off(self, e: ev.WatchdogOff) -> None:
        self.report.watchdog = f"off ({e.reason or 'disabled'})"

    def on_watchdog_failed(self, e: ev.WatchdogFailed) -> None:
        self.report.watchdog = f"FAILED to start: {e.error}"

    def on_run_end(self, e: ev.RunEnded) -> None:
        r = self.report
        if e.ended_by in ("watchdog", "reap") and e.undone_after_s is not None:
            who = "the watchdog" if e.ended_by == "watchdog" else "chaosml reap"
            after = number_text(e.undone_after_s)
            r.watchdog = f"the runner died; {who} ended the faults {after} s after"
        r.status = e.status
        r.exit_code = e.exit_code
        r.reason = e.reason or ""
        r.ended_by = e.ended_by or ""
        r.pending_undos = list(e.pending_undos)
        r.duration_s = e.duration_s or self.last_mono
        r.summary = dict(e.summary)
        self._alerts_from_summary(r.summary)

    def _alerts_from_summary(self, summary: Mapping[str, Any]) -> None:
        """Alerts that were expected but never fired appear only in the summary."""
        for entry in summary.get("alerts") or []:
            alert = self._alert(str(entry.get("name", "")))
            alert.tested = entry.get("tested") is not False
            if not alert.tested:
                self._not_tested(alert.name)
            if alert.time_to_detect_s is None:
                alert.time_to_detect_s = _float(entry.get("time_to_detect_s"))
            if alert.time_to_resolve_s is None:
                alert.time_to_resolve_s = _float(entry.get("time_to_resolve_s"))


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _a_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
