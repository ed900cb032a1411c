"""What every halt source can do, and the one error a source that cannot answer raises."""

from __future__ import annotations

from typing import Protocol

from chaosml.errors import InfrastructureError
from chaosml.halt.record import HaltRecord


class SourceUnreachable(InfrastructureError):
    """The source could not say whether a halt is on (fail closed: docs/safety.md)."""


class HaltSource(Protocol):
    @property
    def scope(self) -> str:
        """``user``, ``machine``, ``postgresql``, ``k8s``, ``http`` or ``stop-condition``."""
        ...

    @property
    def local(self) -> bool:
        """A file on this machine: cheap enough to read on every poll."""
        ...

    @property
    def by(self) -> str:
        """Who stops the run, as ``run.stop`` names it: ``halt`` or ``stop-condition:NAME``."""
        ...

    @property
    def where(self) -> str:
        """The location, for people (passwords redacted)."""
        ...

    def read(self) -> HaltRecord | None:
        """The halt in force, or ``None``; ``SourceUnreachable`` when it cannot tell."""
        ...

    def set(self, record: HaltRecord) -> None: ...

    def clear(self) -> bool:
        """Clear the halt; whether one was set."""
        ...
