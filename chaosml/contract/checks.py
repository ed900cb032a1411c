"""Checked text parameters: a string field whose value a function must accept.

``name: Annotated[str, regex_check("'name' is not a valid regular expression")] | None`` or
``field: Annotated[str, checked_by(parse_path)] | None``: the check runs only on a given
string (never on None or a default), and its ``ValueError`` is the field's validation error,
exactly as a ``field_validator`` would report it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import AfterValidator


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
