"""How every output shows a notification check (issue 19): ``notified ml-oncall in 1.72s``,
``routed to ml-oncall in 1.50s (delivery not observed)`` or ``NOT NOTIFIED: <why>``; and the
console lines of the sink's events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Line = tuple[str, str | None]


def notification_text(entry: Mapping[str, Any]) -> str:
    """One notification check (a ``notification.result`` event or a run summary entry)."""
    if not entry.get("notified"):
        return f"NOT NOTIFIED: {entry.get('reason') or 'no notification'}"
    ttn = entry.get("time_to_notify_s")
    after = f" in {ttn:.2f}s" if isinstance(ttn, int | float) else ""
    if entry.get("delivery_observed") is False:
        return f"routed to {entry.get('receiver')}{after} (delivery not observed)"
    return f"notified {entry.get('receiver')}{after}"


def summary_lines(summary: Mapping[str, Any]) -> list[str]:
    """``alert X → receiver: notified … in …s`` for each check of a run summary."""
    return [
        f"alert {n.get('alert')} → {n.get('receiver')}: {notification_text(n)}"
        for n in summary.get("notifications") or []
    ]


def result_line(e: Mapping[str, Any]) -> Line:
    text = f"📟 notification {e.get('alert')} → {e.get('receiver')}: {notification_text(e)}"
    return text, "green" if e.get("notified") else "red"


def received_line(e: Mapping[str, Any]) -> Line:
    names = sorted({str(a.get("labels", {}).get("alertname")) for a in e.get("alerts") or []})
    return f"✉ webhook {e.get('receiver')} ({e.get('status')}): {', '.join(names)}", None


def sink_line(e: Mapping[str, Any]) -> Line:
    if e["event"] == "notify.sink_started":
        return f"webhook sink listening on {e.get('address')}", None
    if e["event"] == "notify.sink_rejected":
        return f"webhook sink refused a request ({e.get('status')}): {e.get('reason')}", "yellow"
    return f"webhook sink on {e.get('listen')} stopped ({e.get('notifications')} received)", None


ROW_HEAD = ("alert", "receiver", "notified", "time to notify", "delivery", "why not")


def rows(summary: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """A table of a run's notification checks (plain text: the renderer escapes it)."""
    out: list[tuple[str, ...]] = []
    for n in summary.get("notifications") or []:
        ttn = n.get("time_to_notify_s")
        out.append(
            (
                str(n.get("alert")),
                str(n.get("receiver")),
                "yes" if n.get("notified") else "NO",
                f"{ttn:.2f}s" if isinstance(ttn, int | float) else "—",
                "observed" if n.get("delivery_observed") else "routing only (not observed)",
                str(n.get("reason") or ""),
            )
        )
    return out


def for_alert(summary: Mapping[str, Any], alert: str) -> list[str]:
    """``notified ml-oncall in 1.72s`` for each check of ``alert`` (beside its time to detect)."""
    return [
        notification_text(n) for n in summary.get("notifications") or [] if n.get("alert") == alert
    ]
