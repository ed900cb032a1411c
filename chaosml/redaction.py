"""Secrets never reach the journal, the report or the log: every occurrence becomes ``***``."""

from __future__ import annotations

from typing import Any

MASK = "***"


class Redactor:
    def __init__(self, secrets: list[str] | None = None) -> None:
        # longest first, so a secret that contains another is masked whole
        self.secrets = sorted({s for s in secrets or [] if s}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def __call__(self, value: Any) -> Any:
        if not self.secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value
