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

from chaosml.engine.alert_book import SourceKey
from chaosml.engine.probing import emit_probe_result
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.journal.events import NotificationResult
from chaosml.model import experiment as m
from chaosml.notify import diagnosis, routing
from chaosml.notify.alertmanager_api import AlertmanagerApi, AmAlert
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
    watch = _Watch.begin(step.expect_notification, index, state)
    if watch.sink is None:
        watch.tree = await watch.read_tree()
    started = state.clock.monotonic()
    while True:
        seen = await watch.look()
        waited = state.clock.monotonic() - started
        if (seen is not None and not seen.missing) or waited >= watch.want.within:
            break  # an incomplete notification may be followed by a complete one: wait on
        await state.clock.sleep(min(POLL_SECONDS, watch.want.within - waited))
    if seen is not None and not seen.missing:
        watch.record(waited, seen=seen)
        return True
    reason = watch.incomplete(seen) if seen else await watch.why_not()
    watch.record(waited, reason=reason)
    return False


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


@dataclass
class _Watch:
    """One ``expect_notification`` step: what it wants, where it looks, since when."""

    want: m.ExpectNotification
    index: int
    state: RunState
    api: AlertmanagerApi
    sink: WebhookSink | None
    since: float  # chaosml's wall clock: the fault (else the steady state, else the run start)
    key: SourceKey
    tree: routing.Route | None = None

    @classmethod
    def begin(cls, want: m.ExpectNotification, index: int, state: RunState) -> _Watch:
        book = state.alert_book
        since = state.last_fault_wall or book.steady_wall or _run_start(state)
        sink = state.sinks.get(want.listen) if want.listen else None
        key = ("alertmanager", want.source.alertmanager.base_url)
        return cls(want, index, state, AlertmanagerApi(want.source.alertmanager), sink, since, key)

    async def read_tree(self) -> routing.Route:
        api = self.api
        text = await call_blocking(api.config_text, API_TIMEOUT_S, "read Alertmanager's config")
        return routing.tree_from_text(text, f"{api.base_url}/api/v2/status config.original")

    async def alerts(self) -> list[AmAlert]:
        return await call_blocking(self.api.alerts, API_TIMEOUT_S, "read Alertmanager's alerts")

    async def look(self) -> Seen | None:
        if self.sink is not None:
            return delivered(self.sink.received(), self.want, self.since)
        return self.routed(await self.alerts())

    # -- Alertmanager's view ------------------------------------------------------------------
    def routed(self, alerts: list[AmAlert]) -> Seen | None:
        """An alert Alertmanager routes to the receiver, that started after the fault and
        whose route's ``group_wait`` has passed."""
        now = self.source_now()
        for alert in self.routed_right(alerts):
            route = diagnosis.route_to(self.tree, alert.labels, self.want.receiver)
            wait = route.group_wait if route is not None else 0.0
            starts = alert.starts_at or now
            if self.before(starts) or now < starts + wait:
                continue
            local = self.state.alert_book.to_local(self.key, starts + wait)
            info = {"labels": alert.labels, "starts_at": alert.starts_at, "group_wait_s": wait}
            return Seen(local or time.time(), self.want.receiver, False, [], info)
        return None

    def routed_right(self, alerts: list[AmAlert]) -> list[AmAlert]:
        found = diagnosis.matching(alerts, self.want.alert, self.want.labels)
        return [a for a in found if a.state == "active" and self.want.receiver in a.receivers]

    def source_now(self) -> float:
        """Alertmanager's time now: chaosml's clock plus the measured offset, else its ``Date``
        header (whole seconds), else chaosml's clock."""
        offset = self.state.alert_book.offsets.get(self.key)
        if offset is not None:
            return time.time() + offset.offset_s
        return self.api.server_now or time.time()

    def before(self, starts: float | None) -> bool:
        """Whether an alert (``starts`` on Alertmanager's clock) was active before the fault."""
        book = self.state.alert_book
        local = book.to_local(self.key, starts)
        return local is not None and local < self.since - (book.uncertainty(self.key) or 0.0)

    # -- why not ------------------------------------------------------------------------------
    def incomplete(self, seen: Seen) -> str:
        want = self.want
        return f"the notification of {want.alert} to {want.receiver} lacks " + ", ".join(
            seen.missing
        )

    async def why_not(self) -> str:
        tree = self.tree or await self.read_tree()
        alerts = await self.alerts()
        stale = self.already_active(alerts)  # notified before, or never again
        if stale is not None:
            return stale
        view = diagnosis.View(alerts, self.api.silence, tree, self.source_now())
        want = self.want
        wanted = diagnosis.Wanted(want.alert, want.receiver, want.labels, want.within)
        sink = self.sink.address if self.sink else None
        return await call_blocking(
            lambda: diagnosis.why_not(wanted, view, sink), API_TIMEOUT_S, "ask Alertmanager why"
        )

    def already_active(self, alerts: list[AmAlert]) -> str | None:
        """Why nothing this run caused could come: the alert was routed before the fault (in
        Alertmanager's view that proves nothing; to the sink it is not sent again before the
        route's ``repeat_interval``)."""
        old = [a for a in self.routed_right(alerts) if self.before(a.starts_at)]
        if not old:
            return None
        ago = self.since - (self.state.alert_book.to_local(self.key, old[0].starts_at) or 0.0)
        return (
            f"no notification of {self.want.alert} to {self.want.receiver} caused by this run: "
            f"the alert was already active in Alertmanager {ago:.1f}s before the fault, so its "
            "notification proves nothing about it"
        )

    # -- the verdict --------------------------------------------------------------------------
    def record(self, waited: float, seen: Seen | None = None, reason: str | None = None) -> None:
        state, want, ok = self.state, self.want, reason is None
        faulted = state.last_fault_wall is not None
        ttn = round(seen.at - self.since, 3) if seen is not None and faulted else None
        if reason is not None:
            state.deviations.append(reason)
        entry = self._entry(ok, ttn, seen, reason)
        state.notifications.append(entry)
        if want.alert in state.alerts:
            state.alerts[want.alert]["time_to_notify_s"] = ttn
        self._journal(entry, seen, waited)
        state.expectations.append((_name(want), ok, want.weight))
        emit_probe_result(
            state,
            name=_name(want),
            kind=KIND,
            step=self.index,
            ok=ok,
            sample=None,
            reason=reason,
            weight=want.weight,
            duration_s=round(waited, 3),
        )

    def _entry(
        self, ok: bool, ttn: float | None, seen: Seen | None, reason: str | None
    ) -> dict[str, Any]:
        return {
            "alert": self.want.alert,
            "receiver": self.want.receiver,
            "notified": ok,
            "time_to_notify_s": ttn,
            "delivery_observed": seen.observed if seen else self.want.listen is not None,
            "reason": reason,
        }

    def _journal(self, entry: dict[str, Any], seen: Seen | None, waited: float) -> None:
        state, want = self.state, self.want
        event = NotificationResult(
            **entry,
            step=self.index,
            mode="sink" if want.listen else "alertmanager",
            listen=want.listen,
            fault_applied_at=state.last_fault_wall,
            notified_at=seen.at if seen else None,
            alert_seen=seen.alert if seen else None,
            time_to_detect_s=(state.alerts.get(want.alert) or {}).get("time_to_detect_s"),
            delivery=None
            if entry["delivery_observed"]
            else "not observed: Alertmanager's routing only",
            waited_s=round(waited, 3),
        )
        state.journal.write(event)


def _name(want: m.ExpectNotification) -> str:
    return f"notification {want.alert} to {want.receiver}"


def _run_start(state: RunState) -> float:
    return time.time() - (time.monotonic() - state.journal.start_mono)
