"""The webhook sinks of a run: one per distinct ``expect_notification.listen``, started after the
blast-radius checks (before any fault) and stopped before ``run.end`` — also after a signal, the
halt switch or a tool error (docs/notifications.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaosml.engine.state import RunState
from chaosml.journal.events import (
    NotificationReceived,
    NotifySinkRejected,
    NotifySinkStarted,
    NotifySinkStopped,
)
from chaosml.model import experiment as m

if TYPE_CHECKING:
    from chaosml.notify.sink import Listener, Rejection
    from chaosml.notify.webhook import Notification


def listens(experiment: m.Experiment) -> list[str]:
    steps = [s for s in experiment.method if isinstance(s, m.ExpectNotificationStep)]
    return list(
        dict.fromkeys(s.expect_notification.listen for s in steps if s.expect_notification.listen)
    )


def start_all(state: RunState) -> None:
    """Start every sink the method needs; on a failure stop those started and raise."""
    wanted = listens(state.experiment)
    if not wanted:
        return
    from chaosml.notify.sink import WebhookSink  # local: an HTTP server, for few experiments

    try:
        for listen in wanted:
            sink = WebhookSink(
                listen,
                on_notification=_journal_notification(state, listen),
                on_rejected=_journal_rejection(state, listen),
            )
            state.sinks[listen] = sink.start()
            state.journal.write(
                NotifySinkStarted(listen=listen, address=sink.address, max_bytes=sink.max_bytes)
            )
    except BaseException:
        stop_all(state, journal=False)
        raise


def stop_all(state: RunState, journal: bool = True) -> None:
    """Stop every sink (idempotent); with ``journal``, say so in the journal."""
    for listen, sink in list(state.sinks.items()):
        if not sink.running:
            continue
        sink.stop()
        if journal:
            state.journal.write(
                NotifySinkStopped(listen=listen, notifications=len(sink.received()))
            )


def _journal_notification(state: RunState, listen: str) -> Listener:
    def emit(note: Notification) -> None:
        state.journal.write(NotificationReceived(listen=listen, **note.to_json()))

    return emit


def _journal_rejection(state: RunState, listen: str) -> Rejection:
    def emit(status: int, reason: str) -> None:
        state.journal.write(NotifySinkRejected(listen=listen, status=status, reason=reason))

    return emit
