"""Live progress on the terminal: one line per event that matters (colour on a terminal)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from chaosml import escape
from chaosml.journal import events as ev
from chaosml.journal.base import JournalEvent, number_text
from chaosml.reporting import notification_lines
from chaosml.reporting.alert_lines import (
    alert_fired_line,
    alert_resolved_line,
    clock_offset_line,
    time_to_detect_text,
)

_STYLE = {True: "green", False: "red"}
Line = tuple[str, str | None]


class ConsoleObserver:
    def __init__(self, stream: TextIO | None = None, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color
        self._console: Any = None

    def __call__(self, event: JournalEvent) -> None:
        line = self.render(event)
        if line is not None:
            text, style = line
            self._print(escape.plain(text), style)  # no escape sequence from user data

    def _print(self, text: str, style: str | None) -> None:
        if self.color:
            if self._console is None:
                from rich.console import Console

                self._console = Console(file=self.stream, highlight=False)
            self._console.print(text, style=style, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def render(self, event: JournalEvent) -> tuple[str, str | None] | None:
        handler = getattr(self, "_" + event.event.replace(".", "_"), None)
        if handler is None:
            return None
        text, style = handler(event)
        return f"[{event.mono or 0.0:7.2f}s] {text}", style

    def _run_start(self, e: ev.RunStarted) -> Line:
        return f"run {e.run_id}: {e.title} (seed {e.seed})", "bold"

    def _phase(self, e: ev.PhaseEntered) -> Line:
        return f"── {e.name}", "cyan"

    def _target_resolved(self, e: ev.TargetResolved) -> Line:
        t = e.target
        members = t.members or []
        names = ", ".join(str(m.name) for m in members)
        waived = "  (opt-in label WAIVED)" if e.require_label is None else ""
        return (
            f"target {t.name}: {len(members)} of {t.matched} → {names}{waived}",
            "red" if waived else None,
        )

    def _probe_result(self, e: ev.ProbeResult) -> Line:
        mark = "✓" if e.ok else ("~" if e.tolerated else "✗")
        why = f" — {e.reason}" if e.reason and not e.ok else ""
        return f"{mark} {e.kind} '{e.name}'{why}", _STYLE[e.ok]

    def _fault_applied(self, e: ev.FaultApplied) -> Line:
        until = f" for {e.duration:g}s" if e.duration else ""
        return f"⚡ fault {e.name}: {e.description}{until}", "yellow"

    def _fault_reverted(self, e: ev.FaultReverted) -> Line:
        if e.ok:
            return f"↺ undone {e.undo_id} ({e.by}): {e.description or ''}", "green"
        return (
            f"✗ undo {e.undo_id} FAILED after {e.attempts} attempts: {e.error}",
            "bold red",
        )

    def _fault_apply_overran(self, e: ev.FaultApplyOverran) -> Line:
        waited = f"waited {number_text(e.waited_s)}s for {e.what}"
        if e.finished:
            return f"⧗ {waited} to end ({e.outcome}) before undoing {e.undo_id}", None
        return f"✗ {waited}: STILL RUNNING, it may land after its undo {e.undo_id}", "bold red"

    def _fault_evidence(self, e: ev.FaultEvidence) -> Line:
        effect = {True: "effect", False: "NO EFFECT", None: "effect unknown"}[e.effect]
        who = e.undo_id or f"step {e.step}"
        style = "bold red" if e.effect is False else None
        return f"◉ evidence {who} ({e.fault}): {effect} — {e.summary}", style

    def _alert_fired(self, e: ev.AlertFired) -> Line:
        return alert_fired_line(e)

    def _alert_resolved(self, e: ev.AlertResolved) -> Line:
        return alert_resolved_line(e)

    def _clock_offset(self, e: ev.ClockOffset) -> Line:
        return clock_offset_line(e)

    def _notification_result(self, e: ev.NotificationResult) -> Line:
        return notification_lines.result_line(e.model_dump())

    def _source_warning(self, e: ev.SourceWarning) -> Line:
        return f"⚠ WARNING: {e.warning}", "bold yellow"

    def _notification_received(self, e: ev.NotificationReceived) -> Line:
        return notification_lines.received_line(e.model_dump())

    def _halt_active(self, e: ev.HaltActive) -> Line:
        who = "@".join(part for part in (e.user, e.host) if part)
        origin = f" by {who}" if who else ""
        return f"HALT ({e.scope}: {e.source}){origin} at {e.at}: {e.reason}", "bold red"

    def _halt_unreachable(self, e: ev.HaltUnreachable) -> Line:
        return (
            f"halt source {e.source} ({e.scope}) unreachable ({e.policy}): {e.error}",
            "bold yellow",
        )

    def _notify_sink_started(self, e: JournalEvent) -> Line:
        return notification_lines.sink_line(e.model_dump())

    _notify_sink_stopped = _notify_sink_rejected = _notify_sink_started

    def _guard_breach(self, e: ev.GuardBreached) -> Line:
        return f"🛑 guard '{e.name}' breached: {e.reason}", "bold red"

    def _rollback_step(self, e: ev.RollbackStepRan) -> Line:
        return f"rollback step {e.name}: {'ok' if e.ok else e.error}", _STYLE[e.ok]

    def _run_stop(self, e: ev.RunStop) -> Line:
        return f"STOP by {e.by} during {e.phase}: {e.effect}", "bold yellow"

    def _alert_classified(self, e: ev.AlertClassified) -> Line:
        bad = e.cell in ("silent failure", "noisy alert")
        return f"matrix: {e.alert} — {e.cell.upper()}", "bold red" if bad else None

    def _run_end(self, e: ev.RunEnded) -> Line:
        style = "bold green" if e.exit_code == 0 else "bold red"
        text = f"{e.status.upper()} (exit {e.exit_code}): {e.reason}"
        not_run = e.summary.get("not_run")
        if not_run:
            text += "\n    no score: the run did not finish; not run: " + ", ".join(not_run)
        for alert in e.summary.get("alerts", []):
            text += _summary_alert(alert)
        for line in notification_lines.summary_lines(e.summary):
            text += f"\n    {line}"
        if e.pending_undos:
            text += "\n    PENDING UNDOS: " + "; ".join(
                p["undo"]["description"] for p in e.pending_undos
            )
        return text, style


def _summary_alert(alert: dict[str, Any]) -> str:
    ttd = alert.get("time_to_detect_s")
    text = f"\n    alert {alert['name']}: " + (
        "fired"
        if alert.get("fired")
        else "not tested (the fault had no effect)"
        if alert.get("tested") is False
        else "DID NOT FIRE"
    )
    if ttd is not None or alert.get("proven") is False:
        text += ", time to detect " + time_to_detect_text(
            ttd, alert.get("time_to_detect_uncertainty_s"), alert.get("proven")
        )
    if alert.get("time_to_notify_s") is not None:
        text += f", time to notify {alert['time_to_notify_s']:.2f}s"
    if alert.get("time_to_resolve_s") is not None:
        text += f", resolved {alert['time_to_resolve_s']:.2f}s after the rollback"
    return text
