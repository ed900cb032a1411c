"""Why a notification did not come, in one line — from Alertmanager's own view (pure).

In order: the alert never reached Alertmanager (never fired); it is silenced (the silence and
who created it); inhibited (the inhibiting alert); routed to other receivers (named); routed to
the expected receiver but still held in its group (``group_wait``/``group_interval`` of the
matching route); routed right, waited out, yet nothing reached the sink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chaosml.labels import labels_text
from chaosml.notify.alertmanager_api import AmAlert, Silence
from chaosml.notify.routing import Route

_STATE_ORDER = {"active": 0, "suppressed": 1, "unprocessed": 2}


@dataclass(frozen=True)
class Wanted:
    alert: str
    receiver: str
    labels: dict[str, str]
    within: float


@dataclass(frozen=True)
class View:
    """What Alertmanager showed when the wait ran out."""

    alerts: list[AmAlert]
    silence: Callable[[str], Silence]
    tree: Route | None
    now: float  # Alertmanager's clock


def matching(alerts: list[AmAlert], name: str, labels: dict[str, str]) -> list[AmAlert]:
    found = [
        a for a in alerts if a.name == name and all(a.labels.get(k) == v for k, v in labels.items())
    ]
    return sorted(found, key=lambda a: _STATE_ORDER.get(a.state, 3))


def why_not(wanted: Wanted, view: View, sink: str | None) -> str:
    """The one-line reason no notification for ``wanted`` was seen within its time."""
    head = f"no notification of {wanted.alert} to {wanted.receiver} within {wanted.within:g}s"
    found = matching(view.alerts, wanted.alert, wanted.labels)
    if not found:
        return f"{head}: never fired (Alertmanager has no alert {wanted.alert} now)"
    alert = found[0]
    if alert.silenced_by:
        return f"{head}: silenced by {_silences(alert.silenced_by, view)}"
    if alert.inhibited_by:
        return f"{head}: inhibited by {_inhibitors(alert.inhibited_by, view.alerts)}"
    if alert.state == "unprocessed":
        return f"{head}: Alertmanager has not processed the alert yet"
    if wanted.receiver not in alert.receivers:
        return f"{head}: routed to {_receivers(alert, view.tree)} instead"
    return f"{head}: {_routed_right(alert, wanted, view, sink)}"


def _silences(ids: list[str], view: View) -> str:
    parts = []
    for silence_id in ids:
        silence = view.silence(silence_id)
        comment = f': "{silence.comment}"' if silence.comment else ""
        parts.append(f"silence {silence_id} created by {silence.created_by or 'unknown'}{comment}")
    return "; ".join(parts)


def _inhibitors(fingerprints: list[str], alerts: list[AmAlert]) -> str:
    by_print = {a.fingerprint: a for a in alerts}
    names = []
    for fingerprint in fingerprints:
        source = by_print.get(fingerprint)
        shown = f"{source.name} {labels_text(source.labels)}" if source else f"alert {fingerprint}"
        names.append(shown.strip())
    return ", ".join(names)


def _receivers(alert: AmAlert, tree: Route | None) -> str:
    if tree is not None:
        routes = tree.match(alert.labels)
        return "; ".join(r.describe() for r in routes)
    return "receiver " + ", ".join(alert.receivers or ["(none)"])


def route_to(tree: Route | None, labels: dict[str, str], receiver: str) -> Route | None:
    """The matching route that delivers to ``receiver`` (None: none does, or no tree)."""
    routes = tree.match(labels) if tree is not None else []
    return next((r for r in routes if r.receiver == receiver), None)


def _routed_right(alert: AmAlert, wanted: Wanted, view: View, sink: str | None) -> str:
    route = route_to(view.tree, alert.labels, wanted.receiver)
    age = view.now - alert.starts_at if alert.starts_at is not None else None
    since = f"; active in Alertmanager for {age:.1f}s" if age is not None else ""
    if route is not None and (age is None or age < route.group_wait + route.group_interval):
        return (
            f"still grouped: routed to {wanted.receiver} by {route.path}, which holds "
            f"notifications for group_wait {route.group_wait:g}s "
            f"(then group_interval {route.group_interval:g}s){since}"
        )
    where = f" at {sink}" if sink else ""
    return (
        f"routed to {wanted.receiver}{since}, but no notification reached the sink{where} "
        f"(does {wanted.receiver}'s webhook_configs url point at it?)"
    )
