"""The live progress view on a terminal: phase, current step, active faults with a countdown,
guard state — refreshed by rich while the event lines scroll above it."""

from __future__ import annotations

import time
from typing import Any

from chaosml import escape
from chaosml.journal import events as ev
from chaosml.journal.base import JournalEvent
from chaosml.reporting.console import ConsoleObserver


class LiveView(ConsoleObserver):
    def __init__(self) -> None:
        super().__init__(color=True)
        from rich.console import Console
        from rich.live import Live

        self._console = Console(highlight=False)
        self.phase = "start"
        self.step = ""
        self.faults: dict[str, tuple[str, float | None]] = {}  # undo_id → (name, ends at)
        self.guards = "no guards"
        self.has_guards = False
        self.live = Live(
            get_renderable=self._status, console=self._console, refresh_per_second=4, transient=True
        )
        self.live.start()

    def __call__(self, event: JournalEvent) -> None:
        self._track(event)
        super().__call__(event)
        if isinstance(event, ev.RunEnded):
            self.live.stop()

    def _print(self, text: str, style: str | None) -> None:
        self._console.print(text, style=style, markup=False)

    def _track(self, e: JournalEvent) -> None:
        if isinstance(e, ev.RunStarted):
            self.has_guards = bool((e.experiment or {}).get("guards"))
        elif isinstance(e, ev.PhaseEntered):
            self.phase = e.name
            if self.phase == "method" and self.has_guards:
                self.guards = "guards holding"
        elif isinstance(e, ev.ProbeResult) and e.step is not None:
            self.step = f"[{e.step}] {e.name}"
        elif isinstance(e, ev.FaultApplied):
            ends = time.monotonic() + e.duration if e.duration else None
            self.faults[e.undo_id or str(e.name)] = (str(e.name), ends)
            self.step = f"[{e.step}] {e.name}"
        elif isinstance(e, ev.FaultReverted) and e.ok:
            self.faults.pop(e.undo_id, None)
        elif isinstance(e, ev.GuardBreached):
            self.guards = f"guard '{e.name}' BREACHED"

    def _status(self) -> Any:
        from rich.text import Text

        status = f"phase: {self.phase}   step: {self.step or '-'}   {self.guards}"
        text = Text(escape.plain(status), style="bold")
        for name, ends in self.faults.values():
            left = f"{max(0.0, ends - time.monotonic()):.0f}s left" if ends else "until rollback"
            text.append(escape.plain(f"\n  ⚡ active: {name} ({left})"), style="yellow")
        return text
