"""``chaosml routes --alertmanager URL --alert NAME [--labels k=v]…``: which receiver an alert
with those labels would reach, and with which timings — Alertmanager's routing tree evaluated on
its live configuration (``/api/v2/status``), so that a drill can be planned before it runs.
Exit 0 with an answer, 2 for bad flags, 5 when Alertmanager cannot be read."""

from __future__ import annotations

import re

from chaosml.cli.errors import guarded
from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode
from chaosml.labels import labels_text
from chaosml.notify import routing
from chaosml.notify.alertmanager_api import AlertmanagerApi

_URL = re.compile(r"^https?://")


def parse_labels(pairs: list[str]) -> dict[str, str]:
    """``k=v`` pairs (repeatable, or comma-separated) as a dict; InputError names a bad one."""
    labels: dict[str, str] = {}
    for pair in (p for given in pairs for p in given.split(",") if p.strip()):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--labels: expected k=v, got {pair!r}")
        labels[name.strip()] = value.strip()
    return labels


def routes(alertmanager: str, alert: str, label_pairs: list[str], debug: bool) -> int:
    def body() -> int:
        if not _URL.match(alertmanager):
            raise InputError(f"--alertmanager: expected an http(s) URL, got {alertmanager!r}")
        labels = {**parse_labels(label_pairs), "alertname": alert}
        api = AlertmanagerApi(alertmanager)
        tree = routing.tree_from_text(api.config_text(), f"{api.base_url} config.original")
        for line in lines(tree, labels):
            print(line)
        return int(ExitCode.OK)

    return guarded(body, debug)


def lines(tree: routing.Route, labels: dict[str, str]) -> list[str]:
    """What ``chaosml routes`` prints: one line per route the alert is delivered by."""
    found = tree.match(labels)
    shown = labels_text(labels)
    head = f"{labels['alertname']} {shown} reaches {len(found)} receiver(s):"
    return [head, *(f"  - {route.describe()}" for route in found)]
