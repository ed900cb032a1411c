"""The base of every journal event, and the registry that maps an event kind to its class.

An event class is a frozen pydantic model whose ``event`` field is a ``Literal`` of its kind;
defining the class registers it (``EVENT_TYPES``), so adding an event is writing one class in
``chaosml/journal/events.py``. Unknown fields are kept (a newer chaosml may add some); an event
of a kind this chaosml does not know is read as a ``GenericEvent``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr

FORMAT = 2  # the journal format written by this chaosml (``run.start``'s ``journal_format``)
FIRST_FORMAT = 1  # journals without ``journal_format`` (chaosml up to 813593a)

EVENT_TYPES: dict[str, type[JournalEvent]] = {}


class JournalEvent(BaseModel):
    """One line of a journal. The header fields are set by the writer."""

    # defer_build: each kind's validator is built when first used; a run writes a few of the
    # ~40 kinds, and building them all cost every command that imports the events ~50 ms
    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)

    event: StrictStr
    seq: StrictInt | None = None  # 0, 1, 2, … in the order written
    run_id: StrictStr | None = None  # the run's id
    mono: StrictFloat | None = None  # seconds since the run started (monotonic)
    wall: StrictFloat | None = None  # Unix time (seconds, UTC)

    required: ClassVar[tuple[str, ...]] = ()  # fields a journal's event must carry

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields["event"].default
        if isinstance(kind, str):
            if kind in EVENT_TYPES:
                raise TypeError(f"two journal event classes for {kind!r}")
            EVENT_TYPES[kind] = cls

    @property
    def extra(self) -> dict[str, Any]:
        """The fields this chaosml does not know (written by a newer one)."""
        return dict(self.model_extra or {})

    # A read-only view by field name, as the JSON line has it (for tests and scripts; chaosml
    # itself reads the typed attributes).
    def __getitem__(self, name: str) -> Any:
        if name in type(self).model_fields:
            return getattr(self, name)
        return self.extra[name]

    def __contains__(self, name: object) -> bool:
        return name in self.model_fields_set or name in self.extra

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self or name in type(self).model_fields else default


class GenericEvent(JournalEvent):
    """An event of a kind this chaosml does not know: kept as it was read, never an error."""


class Part(BaseModel):
    """A nested object of an event (an undo record, a target): unknown fields kept."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)


def number_text(value: float | None) -> str:
    """A number field as the journal line has it: 3 for 3.0 (a JSON integer is read as a
    float), None for null."""
    return str(int(value)) if value is not None and value.is_integer() else str(value)
