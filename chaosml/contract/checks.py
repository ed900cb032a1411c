"""Checks of parameter models, declared once.

- ``ExactlyOne``: a model of which exactly one of some fields is given (``target`` or
  ``container``, ``pid_file`` or ``pattern``): ``one_of`` names them, ``one_of_error`` says so.
- Checked text: a string field whose value a function must accept,
  ``name: Annotated[str, regex_check("'name' is not a valid regular expression")] | None`` or
  ``field: Annotated[str, checked_by(parse_path)] | None``. The check runs only on a given
  string (never on None or a default), and its ``ValueError`` is the field's validation error,
  exactly as a ``field_validator`` would report it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, Self

from pydantic import AfterValidator, model_validator

from chaosml.contract.params import Params


class ExactlyOne(Params):
    """Exactly one of the fields named in ``one_of`` is given (not None); a subclass's own
    model checks run after this one, so they may rely on it."""

    one_of: ClassVar[tuple[str, ...]]
    one_of_error: ClassVar[str]

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in self.one_of if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(self.one_of_error)
        return self


def checked_by(check: Callable[[str], object]) -> AfterValidator:
    """Keeps the text when ``check`` accepts it; ``check`` raises ValueError otherwise."""

    def keep(text: str) -> str:
        check(text)
        return text

    return AfterValidator(keep)


def compiled_regex(pattern: str, what: str) -> re.Pattern[str]:
    """``pattern`` compiled; ValueError ``<what>: <why>`` when it is not a regular expression."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what}: {exc}") from None


def regex_check(what: str) -> AfterValidator:
    """A regular expression field; ``what`` opens the error (``'name' is not a valid …``)."""
    return checked_by(lambda pattern: compiled_regex(pattern, what))
