"""Alerts posted straight to a real Alertmanager (its v2 API), resolved again at the end."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from chaosml.io import http_client

POST_SCRIPT = """
import datetime, json, os, sys, time, urllib.request
url, labels, minutes, delay = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
if delay and os.fork():
    sys.exit(0)  # the fault's command returns at once; the alert starts after the fault
if delay:  # the child lets go of the command's output, or the fault would wait for it
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
time.sleep(delay)
now = datetime.datetime.now(datetime.timezone.utc)
body = [{"labels": labels, "startsAt": now.isoformat(),
         "endsAt": (now + datetime.timedelta(minutes=minutes)).isoformat()}]
request = urllib.request.Request(url + "/api/v2/alerts", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(request, timeout=5).read()
"""


def post_alert(alertmanager: str, labels: dict[str, str], minutes: float) -> None:
    """Fire ``labels`` for ``minutes`` (0: resolve it now)."""
    now = datetime.now(UTC)
    body = [
        {
            "labels": labels,
            "startsAt": (now - timedelta(seconds=1)).isoformat(),
            "endsAt": (now + timedelta(minutes=minutes)).isoformat(),
        }
    ]
    response = http_client.request("POST", f"{alertmanager}/api/v2/alerts", json=body, timeout=5)
    assert response.status == 200, response.text


def post_command(
    alertmanager: str, labels_json: str, minutes: float, delay: float = 0.0
) -> list[str]:
    """The same as a command (an experiment's fault and undo); ``delay``: posted that much
    later by a child process, the command itself returns at once."""
    return [sys.executable, "-c", POST_SCRIPT, alertmanager, labels_json, str(minutes), str(delay)]


@contextlib.contextmanager
def firing(alertmanager: str, labels: dict[str, str]) -> Iterator[None]:
    post_alert(alertmanager, labels, minutes=10)
    try:
        yield
    finally:
        post_alert(alertmanager, labels, minutes=0)
