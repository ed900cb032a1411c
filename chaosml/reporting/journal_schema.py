"""The field types of journal events (docs/journal.md), checked when a journal is read back.

A journal is input like any other: a file cut by a crash, edited by hand or simply not a
journal must end in a message naming the file and the line, never in a ``KeyError`` deep in a
renderer. ``problem(event)`` says what is wrong with one parsed event, or returns None.
Unknown events and unknown fields are accepted (a newer chaosml may add them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = tuple[str, Callable[[Any], bool]]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional(check: Check) -> Check:
    what, test = check
    return f"{what} or null", lambda v: v is None or test(v)


def _list_of(check: Check) -> Check:
    what, test = check
    return f"a list of {what}s", lambda v: isinstance(v, list) and all(test(x) for x in v)


STR: Check = ("a string", lambda v: isinstance(v, str))
INT: Check = ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUM: Check = ("a number", _number)
BOOL: Check = ("true or false", lambda v: isinstance(v, bool))
DICT: Check = ("an object", lambda v: isinstance(v, dict))
LIST: Check = ("a list", lambda v: isinstance(v, list))
OPT_STR, OPT_INT, OPT_NUM = _optional(STR), _optional(INT), _optional(NUM)
OPT_BOOL, OPT_DICT = _optional(BOOL), _optional(DICT)


def _member(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(k), str | type(None)) for k in ("id", "name")
    )


def _target(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name", ""), str)
        and isinstance(value.get("kind", ""), str)
        and INT[1](value.get("matched", 0))
        and all(_member(m) for m in value.get("members") or [])
        and isinstance(value.get("members") or [], list)
    )


def _undo(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("kind"), str)
        and isinstance(value.get("data"), dict)
        and isinstance(value.get("description"), str)
    )


def _summary(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    alerts = value.get("alerts") or []
    return isinstance(alerts, list) and all(isinstance(a, dict) for a in alerts)


TARGET: Check = ("a target object (name, kind, matched, members)", _target)
UNDO: Check = ("an undo record (kind, data, description)", _undo)
SUMMARY: Check = ("a summary object", _summary)
DICTS: Check = _list_of(DICT)

COMMON: dict[str, Check] = {"event": STR, "seq": INT, "run_id": STR, "mono": NUM, "wall": NUM}

FIELDS: dict[str, dict[str, Check]] = {
    "run.start": {
        "version": STR,
        "title": STR,
        "tags": _list_of(STR),
        "experiment_path": OPT_STR,
        "experiment": OPT_DICT,
        "command_line": _list_of(STR),
        "environment": OPT_STR,
        "seed": OPT_INT,
        "pid": INT,
        "pid_start": STR,
        "host": STR,
        "dry_run": BOOL,
    },
    "phase": {"name": STR},
    "target.resolved": {"target": TARGET, "require_label": OPT_STR},
    "probe.result": {
        "phase": STR,
        "name": STR,
        "kind": STR,
        "step": OPT_INT,
        "ok": BOOL,
        "tolerated": OPT_BOOL,
        "reason": OPT_STR,
        "error": OPT_STR,
        "weight": OPT_NUM,
        "duration_s": OPT_NUM,
    },
    "observe.sample": {"name": STR, "phase": OPT_STR, "error": OPT_STR},
    "fault.undo_registered": {
        "undo_id": STR,
        "step": OPT_INT,
        "fault": STR,
        "name": OPT_STR,
        "target": OPT_STR,
        "undo": UNDO,
        "secrets": _optional(DICT),
    },
    "fault.applied": {
        "undo_id": OPT_STR,
        "step": OPT_INT,
        "fault": STR,
        "name": OPT_STR,
        "target": OPT_STR,
        "description": OPT_STR,
        "duration": OPT_NUM,
        "background": OPT_BOOL,
    },
    "fault.reverted": {
        "undo_id": STR,
        "ok": BOOL,
        "by": OPT_STR,
        "attempts": OPT_INT,
        "error": OPT_STR,
        "description": OPT_STR,
    },
    "command.started": {"pgid": INT, "start_time": STR, "command": STR},
    "fault.apply_overran": {
        "undo_id": STR,
        "what": OPT_STR,
        "finished": BOOL,
        "outcome": OPT_STR,
        "overran_s": OPT_NUM,
        "waited_s": OPT_NUM,
    },
    "watchdog.started": {"pid": INT, "pid_start": STR, "ready_s": OPT_NUM},
    "watchdog.off": {"reason": OPT_STR},
    "watchdog.failed": {"error": OPT_STR},
    "source.warning": {"url": STR, "warning": STR},
    "alert.fired": {
        "name": STR,
        "labels": OPT_DICT,
        "active_at": OPT_NUM,
        "time_to_detect_s": OPT_NUM,
    },
    "alert.resolved": {"name": STR, "resolved_at": OPT_NUM, "time_to_resolve_s": OPT_NUM},
    "guard.breach": {"name": STR, "reason": OPT_STR, "error": OPT_STR},
    "rollback.step": {
        "step": OPT_INT,
        "name": OPT_STR,
        "action": STR,
        "ok": BOOL,
        "error": OPT_STR,
    },
    "run.end": {
        "status": STR,
        "exit_code": OPT_INT,
        "reason": OPT_STR,
        "ended_by": OPT_STR,
        "pending_undos": DICTS,
        "duration_s": OPT_NUM,
        "summary": SUMMARY,
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "run.start": ("run_id",),
    "fault.undo_registered": ("undo_id", "undo"),
    "fault.reverted": ("undo_id", "ok"),
    "command.started": ("pgid", "start_time"),
    "fault.apply_overran": ("undo_id", "finished"),
    "run.end": ("status",),
}


def problem(event: Mapping[str, Any]) -> str | None:
    """What is wrong with one parsed event (a missing key, a field of the wrong type), or None."""
    kind = event.get("event")
    if not isinstance(kind, str):
        return "not a journal event (no 'event' field naming its type)"
    for key in REQUIRED.get(kind, ()):
        if key not in event:
            return f"a '{kind}' event without its '{key}' field"
    checks = {**COMMON, **FIELDS.get(kind, {})}
    for key, (what, test) in checks.items():
        if key in event and not test(event[key]):
            return f"'{kind}' field '{key}' should be {what}, got {_shown(event[key])}"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
