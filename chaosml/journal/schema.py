"""The journal's JSON Schema and docs/journal.md, both generated from the event classes.

    chaosml schema --journal            # the JSON Schema of one journal line
    python -m chaosml.journal.schema > docs/journal.md

A test fails when docs/journal.md differs from ``render_doc()``.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from chaosml.journal import events as _events  # noqa: F401  (defines and registers the kinds)
from chaosml.journal.base import EVENT_TYPES, FORMAT, JournalEvent
from chaosml.journal.doc_text import AFTER, BEFORE

HEADER = ("event", "seq", "run_id", "mono", "wall")


def journal_schema() -> dict[str, Any]:
    """One journal line: an object whose ``event`` names its class (unknown kinds: any object
    with the header fields, kept as they are)."""
    kinds = tuple(EVENT_TYPES.values())
    line = Annotated[Union[kinds], Field(discriminator="event")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(line).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"chaosml journal line (format {FORMAT})",
        "description": "One line of a chaosml journal (JSON lines). docs/journal.md",
        **schema,
    }


def render_doc() -> str:
    rows = [_row(kind, cls) for kind, cls in EVENT_TYPES.items()]
    table = "| event | class | fields (type; * required) | when, and what the fields mean |\n"
    table += "|---|---|---|---|\n" + "".join(rows)
    return BEFORE.format(format=FORMAT) + table + AFTER


def _row(kind: str, cls: type[JournalEvent]) -> str:
    properties = cls.model_json_schema(mode="serialization")
    fields = [
        _field(name, spec, name in cls.required or cls.model_fields[name].is_required())
        for name, spec in properties.get("properties", {}).items()
        if name not in HEADER
    ]
    doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split())
    return f"| `{kind}` | `{cls.__name__}` | {', '.join(fields)} | {_cell(doc)} |\n"


def _field(name: str, spec: dict[str, Any], required: bool) -> str:
    return f"`{name}`{'*' if required else ''} {_type(spec)}"


def _type(spec: dict[str, Any]) -> str:
    if "anyOf" in spec:
        return " or ".join(dict.fromkeys(_type(s) for s in spec["anyOf"]))
    if "$ref" in spec:
        return "object"
    kind = spec.get("type")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    names = {"string": "string", "integer": "integer", "number": "number", "boolean": "bool"}
    names["null"] = "null"
    return names.get(str(kind), "object" if kind == "object" else "any")


def _cell(text: str) -> str:
    return text.replace("``", "`").replace("|", "\\|")


if __name__ == "__main__":  # pragma: no cover
    print(render_doc(), end="")
