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
from chaosml.engine.alert_book import SourceKey
from chaosml.engine.probing import emit_probe_result
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.model import experiment as m
from chaosml.notify import diagnosis, routing
from chaosml.notify.sink import WebhookSink
from chaosml.notify.webhook import Notification, missing

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
        if (seen is not None and not seen.missing) or waited >= want.within:
            break  # an incomplete notification may be followed by a complete one: wait on
        await state.clock.sleep(min(POLL_SECONDS, want.within - waited))
    if seen is not None and not seen.missing:
        return _passed(want, index, seen, since, waited, state)
    reason = (
        _incomplete(want, seen) if seen else await _why_not(want, api, tree, sink, since, state)
    )
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
    return _routed(alerts, want, tree, _source_now(api, want, state), since, state)


def delivered(notes: list[Notification], want: m.ExpectNotification, since: float) -> Seen | None:
    """The first firing notification of the alert to the receiver received after ``since``;
    one that lacks required labels/annotations counts only when no complete one came."""
    candidates: list[Seen] = []
    for note in notes:
        if note.receiver != want.receiver or note.received_at < since:
            continue
        for alert in note.firing(want.alert, {}):
            lacking = missing(alert, want.labels, want.annotations)
            candidates.append(Seen(note.received_at, note.receiver, True, lacking, alert.to_json()))
    complete = [c for c in candidates if not c.missing]
    best = complete or candidates
    return best[0] if best else None


def _source_now(api: AlertmanagerApi, want: m.ExpectNotification, state: RunState) -> float:
    """Alertmanager's time now: chaosml's clock plus the measured offset, else its ``Date``
    header (whole seconds), else chaosml's clock."""
    offset = state.alert_book.offsets.get(_source_key(want))
    if offset is not None:
        return time.time() + offset.offset_s
    return api.server_now or time.time()


def _routed(
    alerts: list[AmAlert],
    want: m.ExpectNotification,
    tree: routing.Route | None,
    now: float,
    since: float,
    state: RunState,
) -> Seen | None:
    """An alert Alertmanager routes to the receiver, that started after ``since`` (the fault)
    and whose route's ``group_wait`` has passed."""
    key = _source_key(want)
    for alert in _routed_right(alerts, want):
        route = diagnosis.route_to(tree, alert.labels, want.receiver)
        wait = route.group_wait if route is not None else 0.0
        starts = alert.starts_at or now
        if _before(state, key, starts, since) or now < starts + wait:
            continue
        local = state.alert_book.to_local(key, starts + wait)
        info = {"labels": alert.labels, "starts_at": alert.starts_at, "group_wait_s": wait}
        return Seen(local or time.time(), want.receiver, False, [], info)
    return None


def _routed_right(alerts: list[AmAlert], want: m.ExpectNotification) -> list[AmAlert]:
    found = diagnosis.matching(alerts, want.alert, want.labels)
    return [a for a in found if a.state == "active" and want.receiver in a.receivers]


def _source_key(want: m.ExpectNotification) -> SourceKey:
    return ("alertmanager", want.source.alertmanager.rstrip("/"))


def _before(state: RunState, key: SourceKey, starts: float | None, since: float) -> bool:
    """Whether an alert (``starts`` on Alertmanager's clock) was active before ``since``."""
    local = state.alert_book.to_local(key, starts)
    slack = state.alert_book.uncertainty(key) or 0.0
    return local is not None and local < since - slack


def _already_active(
    alerts: list[AmAlert], want: m.ExpectNotification, since: float, state: RunState
) -> str | None:
    """Why nothing this run caused could come: the alert was routed before the fault (in
    Alertmanager's view that proves nothing; to the sink it is not sent again before the
    route's ``repeat_interval``)."""
    key = _source_key(want)
    old = [a for a in _routed_right(alerts, want) if _before(state, key, a.starts_at, since)]
    if not old:
        return None
    ago = since - (state.alert_book.to_local(key, old[0].starts_at) or since)
    return (
        f"no notification of {want.alert} to {want.receiver} caused by this run: the alert was "
        f"already active in Alertmanager {ago:.1f}s before the fault, so its notification "
        "proves nothing about it"
    )


def _incomplete(want: m.ExpectNotification, seen: Seen) -> str:
    return f"the notification of {want.alert} to {want.receiver} lacks " + ", ".join(seen.missing)


async def _why_not(
    want: m.ExpectNotification,
    api: AlertmanagerApi,
    tree: routing.Route | None,
    sink: WebhookSink | None,
    since: float,
    state: RunState,
) -> str:
    if tree is None:
        tree = await _tree(api)
    alerts = await call_blocking(api.alerts, API_TIMEOUT_S, "read Alertmanager's alerts")
    stale = _already_active(alerts, want, since, state)  # notified before, or never again
    if stale is not None:
        return stale
    view = diagnosis.View(alerts, api.silence, tree, _source_now(api, want, state))
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
        duration_s=round(waited, 3),
    )
