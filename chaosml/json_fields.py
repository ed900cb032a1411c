"""``to_json`` of an object that is some of its own attributes, named once."""

from __future__ import annotations

from typing import Any


def json_fields(obj: object, *names: str) -> dict[str, Any]:
    """``{name: obj.name}`` for each of ``names``, in that order."""
    return {name: getattr(obj, name) for name in names}
