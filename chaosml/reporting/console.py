"""Live progress on the terminal: one line per event that matters (colour on a terminal)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from chaosml import escape
from chaosml.reporting.alert_lines import (
    alert_fired_line,
    alert_resolved_line,
    clock_offset_line,
    time_to_detect_text,
)

_STYLE = {True: "green", False: "red"}


class ConsoleObserver:
    def __init__(self, stream: TextIO | None = None, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color
        self._console: Any = None

    def __call__(self, event: dict[str, Any]) -> None:
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

    def render(self, e: dict[str, Any]) -> tuple[str, str | None] | None:
        t = f"[{e['mono']:7.2f}s]"
        kind = e["event"]
        handler = getattr(self, "_" + kind.replace(".", "_"), None)
        if handler is None:
            return None
        text, style = handler(e)
        return f"{t} {text}", style

    def _run_start(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return f"run {e['run_id']}: {e['title']} (seed {e['seed']})", "bold"

    def _phase(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return f"── {e['name']}", "cyan"

    def _target_resolved(self, e: dict[str, Any]) -> tuple[str, str | None]:
        t = e["target"]
        names = ", ".join(m["name"] for m in t["members"])
        waived = "  (opt-in label WAIVED)" if e.get("require_label") is None else ""
        return (
            f"target {t['name']}: {len(t['members'])} of {t['matched']} → {names}{waived}",
            "red" if waived else None,
        )

    def _probe_result(self, e: dict[str, Any]) -> tuple[str, str | None]:
        mark = "✓" if e["ok"] else ("~" if e.get("tolerated") else "✗")
        why = f" — {e['reason']}" if e.get("reason") and not e["ok"] else ""
        return f"{mark} {e['kind']} '{e['name']}'{why}", _STYLE[bool(e["ok"])]

    def _fault_applied(self, e: dict[str, Any]) -> tuple[str, str | None]:
        until = f" for {e['duration']:g}s" if e.get("duration") else ""
        return f"⚡ fault {e['name']}: {e['description']}{until}", "yellow"

    def _fault_reverted(self, e: dict[str, Any]) -> tuple[str, str | None]:
        if e["ok"]:
            return f"↺ undone {e['undo_id']} ({e['by']}): {e.get('description', '')}", "green"
        return (
            f"✗ undo {e['undo_id']} FAILED after {e['attempts']} attempts: {e.get('error')}",
            "bold red",
        )

    def _fault_apply_overran(self, e: dict[str, Any]) -> tuple[str, str | None]:
        waited = f"waited {e.get('waited_s')}s for {e.get('what')}"
        if e["finished"]:
            return f"⧗ {waited} to end ({e.get('outcome')}) before undoing {e['undo_id']}", None
        return f"✗ {waited}: STILL RUNNING, it may land after its undo {e['undo_id']}", "bold red"

    def _fault_evidence(self, e: dict[str, Any]) -> tuple[str, str | None]:
        effect = {True: "effect", False: "NO EFFECT", None: "effect unknown"}[e.get("effect")]
        who = e.get("undo_id") or f"step {e.get('step')}"
        style = "bold red" if e.get("effect") is False else None
        return f"◉ evidence {who} ({e.get('fault')}): {effect} — {e.get('summary')}", style

    def _alert_fired(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return alert_fired_line(e)

    def _alert_resolved(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return alert_resolved_line(e)

    def _clock_offset(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return clock_offset_line(e)

    def _guard_breach(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return f"🛑 guard '{e['name']}' breached: {e['reason']}", "bold red"

    def _rollback_step(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return f"rollback step {e['name']}: {'ok' if e['ok'] else e['error']}", _STYLE[
            bool(e["ok"])
        ]

    def _halt_active(self, e: dict[str, Any]) -> tuple[str, str | None]:
        who = "@".join(part for part in (e.get("user"), e.get("host")) if part)
        origin = f" by {who}" if who else ""
        return (
            f"HALT ({e['scope']}: {e['source']}){origin} at {e.get('at')}: {e['reason']}",
            "bold red",
        )

    def _halt_unreachable(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return (
            f"halt source {e['source']} ({e['scope']}) unreachable ({e['policy']}): {e['error']}",
            "bold yellow",
        )

    def _run_stop(self, e: dict[str, Any]) -> tuple[str, str | None]:
        return f"STOP by {e['by']} during {e['phase']}: {e['effect']}", "bold yellow"

    def _run_end(self, e: dict[str, Any]) -> tuple[str, str | None]:
        style = "bold green" if e["exit_code"] == 0 else "bold red"
        text = f"{e['status'].upper()} (exit {e['exit_code']}): {e['reason']}"
        not_run = e.get("summary", {}).get("not_run")
        if not_run:
            text += "\n    no score: the run did not finish; not run: " + ", ".join(not_run)
        for alert in e.get("summary", {}).get("alerts", []):
            ttd = alert.get("time_to_detect_s")
            text += f"\n    alert {alert['name']}: " + (
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
            if alert.get("time_to_resolve_s") is not None:
                text += f", resolved {alert['time_to_resolve_s']:.2f}s after the rollback"
        if e.get("pending_undos"):
            text += "\n    PENDING UNDOS: " + "; ".join(
                p["undo"]["description"] for p in e["pending_undos"]
            )
        return text, style
