"""What every halt source can do, the one error a source that cannot answer raises, and the
base of the sources that keep a halt somewhere."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, TypeVar

from chaosml.errors import ChaosMLError, InfrastructureError
from chaosml.halt.record import HaltRecord

Stored = TypeVar("Stored")
T = TypeVar("T")


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


@dataclass(kw_only=True)
class StoredHalt(ABC, Generic[Stored]):
    """A halt kept somewhere (a file, a table row, a ConfigMap, a URL): ``read`` fetches what
    is stored there, ``None`` when nothing is, and parses it; a failure to reach the place
    (``ChaosMLError``, but ``passes``) is ``SourceUnreachable`` naming ``noun`` and ``where``."""

    scope: str
    local: bool = False
    by: str = "halt"  # the run.stop's ``by``
    noun: ClassVar[str]  # "the halt URL", ...: how an error names the place
    passes: ClassVar[tuple[type[ChaosMLError], ...]] = ()  # errors that stay themselves

    @property
    @abstractmethod
    def where(self) -> str:
        """The location, for people (passwords redacted)."""

    def read(self) -> HaltRecord | None:
        found = self._fetch()
        return None if found is None else self._parse(found)

    @abstractmethod
    def _fetch(self) -> Stored | None: ...

    @abstractmethod
    def _parse(self, found: Stored) -> HaltRecord | None: ...

    def _reach(self, work: Callable[[], T]) -> T:
        try:
            return work()
        except self.passes:
            raise
        except ChaosMLError as exc:
            raise SourceUnreachable(f"{self.noun} {self.where}: {exc.message}") from exc
