"""``expect_notification``: did the alert reach the receiver (issue 19, docs/notifications.md)?

Two ways to know. With ``listen``, chaosml's webhook sink receives what Alertmanager posts: the
step passes on the first firing notification of the alert to the receiver after the fault,
carrying the required labels and annotations; time to notify is fault applied → received.
Without it, Alertmanager's own view proves the routing: the alert is active, routed to the
receiver, and its route's ``group_wait`` has passed; time to notify is then fault applied →
``startsAt + group_wait`` on chaosml's clock, and the journal says delivery was not observed.
When the time runs out, ``notify.diagnosis`` says why in one line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from chaosml.drivers.alertmanager_api import AlertmanagerApi, AmAlert
from chaosml.engine.probing import emit_probe_result
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.model import experiment as m
from chaosml.notify import diagnosis, routing
from chaosml.notify.sink import WebhookSink
from chaosml.notify.webhook import Notification, NotifiedAlert, missing

POLL_SECONDS = 0.1
API_TIMEOUT_S = 10.0
KIND = "expect_notification"


@dataclass(frozen=True)
class Seen:
    """A notification that counts: when (chaosml's wall clock) and what it carried."""

    at: float
    receiver: str
    observed: bool  # delivery seen by the sink (False: Alertmanager's view only)
    missing: list[str]
    alert: dict[str, Any]


async def expect_notification(step: m.ExpectNotificationStep, index: int, state: RunState) -> bool:
    want = step.expect_notification
    api = AlertmanagerApi(want.source.alertmanager)
    since = state.last_fault_wall or state.alert_book.steady_wall or _run_start(state)
    sink: WebhookSink | None = state.sinks.get(want.listen) if want.listen else None
    tree = None if sink else await _tree(api)
    started = state.clock.monotonic()
    while True:
        seen = await _look(want, api, tree, sink, since, state)
        waited = state.clock.monotonic() - started
        if seen is not None or waited >= want.within:
            break
        await state.clock.sleep(min(POLL_SECONDS, want.within - waited))
    if seen is not None and not seen.missing:
        return _passed(want, index, seen, since, waited, state)
    reason = _incomplete(want, seen) if seen else await _why_not(want, api, tree, sink)
    return _failed(want, index, reason, waited, state)


def _run_start(state: RunState) -> float:
    return time.time() - (time.monotonic() - state.journal.start_mono)


async def _tree(api: AlertmanagerApi) -> routing.Route:
    text = await call_blocking(api.config_text, API_TIMEOUT_S, "read Alertmanager's config")
    return routing.tree_from_text(text, f"{api.base_url}/api/v2/status config.original")


async def _look(
    want: m.ExpectNotification,
    api: AlertmanagerApi,
    tree: routing.Route | None,
    sink: WebhookSink | None,
    since: float,
    state: RunState,
) -> Seen | None:
    if sink is not None:
        return delivered(sink.received(), want, since)
    alerts = await call_blocking(api.alerts, API_TIMEOUT_S, "read Alertmanager's alerts")
    return _routed(alerts, want, tree, api.server_now or time.time(), state)


def delivered(notes: list[Notification], want: m.ExpectNotification, since: float) -> Seen | None:
    """The first firing notification of the alert to the receiver received after ``since``;
    one that lacks required labels/annotations counts only when no complete one came."""
    candidates: list[Seen] = []
    for note in notes:
        if note.receiver != want.receiver or note.received_at < since:
            continue
        for alert in note.firing(want.alert, {}):
            lacking = _lacking(alert, want)
            candidates.append(Seen(note.received_at, note.receiver, True, lacking, alert.to_json()))
    complete = [c for c in candidates if not c.missing]
    best = complete or candidates
    return best[0] if best else None


def _lacking(alert: NotifiedAlert, want: m.ExpectNotification) -> list[str]:
    return missing(alert, want.labels, want.annotations)


def _routed(
    alerts: list[AmAlert],
    want: m.ExpectNotification,
    tree: routing.Route | None,
    now: float,
    state: RunState,
) -> Seen | None:
    for alert in diagnosis.matching(alerts, want.alert, want.labels):
        if alert.state != "active" or want.receiver not in alert.receivers:
            continue
        route = diagnosis.route_to(tree, alert.labels, want.receiver)
        wait = route.group_wait if route is not None else 0.0
        starts = alert.starts_at or now
        if now >= starts + wait:
            key = ("alertmanager", want.source.alertmanager.rstrip("/"))
            local = state.alert_book.to_local(key, starts + wait)
            info = {"labels": alert.labels, "starts_at": alert.starts_at, "group_wait_s": wait}
            return Seen(local or time.time(), want.receiver, False, [], info)
    return None


def _incomplete(want: m.ExpectNotification, seen: Seen) -> str:
    return f"the notification of {want.alert} to {want.receiver} lacks " + ", ".join(seen.missing)


async def _why_not(
    want: m.ExpectNotification,
    api: AlertmanagerApi,
    tree: routing.Route | None,
    sink: WebhookSink | None,
) -> str:
    if tree is None:
        tree = await _tree(api)
    alerts = await call_blocking(api.alerts, API_TIMEOUT_S, "read Alertmanager's alerts")
    view = diagnosis.View(alerts, api.silence, tree, api.server_now or time.time())
    wanted = diagnosis.Wanted(want.alert, want.receiver, want.labels, want.within)
    return await call_blocking(
        lambda: diagnosis.why_not(wanted, view, sink.address if sink else None),
        API_TIMEOUT_S,
        "ask Alertmanager why",
    )


def _passed(
    want: m.ExpectNotification,
    index: int,
    seen: Seen,
    since: float,
    waited: float,
    state: RunState,
) -> bool:
    ttn = round(seen.at - since, 3) if state.last_fault_wall is not None else None
    _journal(state, want, index, True, None, waited, seen, ttn)
    return True


def _failed(
    want: m.ExpectNotification, index: int, reason: str, waited: float, state: RunState
) -> bool:
    state.deviations.append(reason)
    _journal(state, want, index, False, reason, waited, None, None)
    return False


def _journal(
    state: RunState,
    want: m.ExpectNotification,
    index: int,
    ok: bool,
    reason: str | None,
    waited: float,
    seen: Seen | None,
    ttn: float | None,
) -> None:
    observed = seen.observed if seen else want.listen is not None
    entry = {
        "alert": want.alert,
        "receiver": want.receiver,
        "notified": ok,
        "time_to_notify_s": ttn,
        "delivery_observed": observed,
        "reason": reason,
    }
    state.notifications.append(entry)
    if want.alert in state.alerts:
        state.alerts[want.alert]["time_to_notify_s"] = ttn
    state.journal.emit(
        "notification.result",
        **entry,
        step=index,
        mode="sink" if want.listen else "alertmanager",
        listen=want.listen,
        fault_applied_at=state.last_fault_wall,
        notified_at=seen.at if seen else None,
        alert_seen=seen.alert if seen else None,
        time_to_detect_s=(state.alerts.get(want.alert) or {}).get("time_to_detect_s"),
        delivery=None if observed else "not observed: Alertmanager's routing only",
        waited_s=round(waited, 3),
    )
    state.expectations.append((f"notification {want.alert} to {want.receiver}", ok, want.weight))
    emit_probe_result(
        state,
        name=f"notification {want.alert} to {want.receiver}",
        kind=KIND,
        step=index,
        ok=ok,
        sample=None,
        reason=reason,
        weight=want.weight,
    )
