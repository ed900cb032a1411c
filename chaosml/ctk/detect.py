"""Is a parsed document a Chaos Toolkit experiment? (``validate``/``run`` point to import.)"""

from __future__ import annotations

from typing import Any

CTK_ONLY_KEYS = ("steady-state-hypothesis", "configuration", "extensions", "contributions")


def is_ctk(data: Any) -> bool:
    """A mapping with a key only Chaos Toolkit has, or a method of ``type``/``provider`` items."""
    if not isinstance(data, dict):
        return False
    if any(key in data for key in CTK_ONLY_KEYS) and "steady_state" not in data:
        return True
    method = data.get("method")
    return isinstance(method, list) and any(_is_activity(item) for item in method)


def _is_activity(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    return ("provider" in item and "type" in item) or set(item) == {"ref"}
