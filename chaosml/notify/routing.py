"""Alertmanager's routing tree, evaluated as Alertmanager does (``dispatch/route.go``).

A route matches when all its matchers hold; its children are tried in order, the first that
matches ends the search unless it has ``continue: true``; a route none of whose children
matched is itself the destination. Children inherit ``receiver``, ``group_by``, ``group_wait``,
``group_interval`` and ``repeat_interval`` from their parent; the root's defaults are
Alertmanager's (30s, 5m, 4h).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chaosml.errors import InputError
from chaosml.notify.matchers import Matcher, all_match, route_matchers
from chaosml.yaml_source import parse_text

DEFAULTS = {"group_wait": 30.0, "group_interval": 300.0, "repeat_interval": 14400.0}
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


def prometheus_duration(text: Any) -> float:
    """Seconds of a Prometheus duration (``30s``, ``1h30m``, ``1d``)."""
    compact = str(text).strip()
    if not compact or _PART.sub("", compact):
        raise InputError(f"not a Prometheus duration: {compact!r} (like 30s, 5m, 4h)")
    return float(sum(int(n) * _UNITS[u] for n, u in _PART.findall(compact)))


@dataclass(frozen=True)
class Route:
    """One node of the tree, its settings already inherited."""

    receiver: str
    matchers: list[Matcher]
    group_by: list[str]
    group_wait: float
    group_interval: float
    repeat_interval: float
    continue_: bool = False
    path: str = "route"  # where it is in the configuration: route.routes[1].routes[0]
    children: list[Route] = field(default_factory=list)

    def match(self, labels: dict[str, str]) -> list[Route]:
        """The routes delivering an alert with ``labels`` (empty: this one does not match)."""
        if not all_match(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.children:
            matched = child.match(labels)
            found += matched
            if matched and not child.continue_:
                break
        return found or [self]

    def timings(self) -> str:
        return (
            f"group_wait {_short(self.group_wait)}, group_interval {_short(self.group_interval)}, "
            f"repeat_interval {_short(self.repeat_interval)}"
        )

    def describe(self) -> str:
        shown = ", ".join(str(m) for m in self.matchers) or "everything"
        group = ", ".join(self.group_by) if self.group_by else "nothing"
        return (
            f"receiver {self.receiver} via {self.path} (matching {shown}; "
            f"grouped by {group}; {self.timings()})"
        )


def _short(seconds: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def tree(config: dict[str, Any]) -> Route:
    """The routing tree of a parsed Alertmanager configuration."""
    root = config.get("route")
    if not isinstance(root, dict):
        raise InputError("the Alertmanager configuration has no route:")
    parent = {"receiver": "", "group_by": [], **DEFAULTS}
    return _route(root, parent, "route", is_root=True)


def tree_from_text(text: str, name: str = "Alertmanager configuration") -> Route:
    """The routing tree of Alertmanager's configuration as YAML (``config.original``)."""
    data = parse_text(text, name).data
    if not isinstance(data, dict):
        raise InputError(f"{name} is not a mapping")
    return tree(data)


def _route(raw: dict[str, Any], parent: dict[str, Any], path: str, is_root: bool = False) -> Route:
    settings = _inherited(raw, parent)
    children = [
        _route(child, settings, f"{path}.routes[{i}]")
        for i, child in enumerate(raw.get("routes") or [])
        if isinstance(child, dict)
    ]
    return Route(
        receiver=str(settings["receiver"]),
        matchers=[] if is_root else route_matchers(raw),
        group_by=list(settings["group_by"]),
        group_wait=settings["group_wait"],
        group_interval=settings["group_interval"],
        repeat_interval=settings["repeat_interval"],
        continue_=bool(raw.get("continue", False)),
        path=path,
        children=children,
    )


def _inherited(raw: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    settings = dict(parent)
    if raw.get("receiver"):
        settings["receiver"] = str(raw["receiver"])
    if raw.get("group_by") is not None:
        settings["group_by"] = [str(label) for label in raw["group_by"]]
    for key in DEFAULTS:
        if raw.get(key) is not None:
            settings[key] = prometheus_duration(raw[key])
    return settings


def receivers(routes: list[Route]) -> list[str]:
    """The receivers of ``routes``, each once, in order."""
    return list(dict.fromkeys(r.receiver for r in routes))
