"""Who halted, from where, when and why: the record every halt source stores."""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class HaltRecord:
    reason: str
    user: str = ""
    host: str = ""
    at: str = ""  # UTC, ISO 8601

    def describe(self) -> str:
        """``'REASON' (by USER@HOST at TIME)``: what an aborted run prints."""
        who = "@".join(part for part in (self.user, self.host) if part)
        origin = ", ".join(part for part in (f"by {who}" if who else "", self.at) if part)
        return f"{self.reason!r} ({origin})" if origin else repr(self.reason)

    def fields(self) -> dict[str, str]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps({"halted": True, **self.fields()}) + "\n"


def new_record(reason: str) -> HaltRecord:
    """A record of the calling account, on this host, now."""
    return HaltRecord(reason=reason, user=_user(), host=socket.gethostname(), at=utc_now())


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def from_mapping(data: dict[str, Any]) -> HaltRecord | None:
    """A record from a JSON object or a ConfigMap's data; ``None`` when it says not halted."""
    halted = data.get("halted", True)
    if halted is False or str(halted).lower() in ("false", "0", "no", ""):
        return None
    return HaltRecord(
        reason=str(data.get("reason") or "no reason given"),
        user=str(data.get("user") or ""),
        host=str(data.get("host") or ""),
        at=str(data.get("at") or ""),
    )


def from_text(text: str) -> HaltRecord | None:
    """A halt file's content: the JSON record, or any other text (older chaosml, a person's
    ``echo stop > HALT``) as the reason. A file that says ``"halted": false`` is cleared."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return from_mapping(data)
    return HaltRecord(reason=text.strip() or "no reason given")
