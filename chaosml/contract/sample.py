"""What a probe read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaosml import redaction


@dataclass
class Sample:
    """What a probe read. ``value`` is the primary value expectations compare against."""

    value: Any = None
    status: int | None = None  # HTTP status code
    exit_code: int | None = None  # process exit code
    text: str | None = None  # response body or stdout
    json: Any = None  # parsed JSON body, when there is one
    details: dict[str, Any] = field(default_factory=dict)  # latency_s, labels, state, ...

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        for key in ("status", "exit_code"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.text is not None:
            out["text"] = redaction.clip(self.text, 2000, "")
        if self.details:
            out["details"] = self.details
        return out
