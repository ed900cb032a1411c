"""The converted experiment as YAML, with comments that point each step to its source."""

from __future__ import annotations

from typing import Any

import yaml

from chaosml.ctk.convert import Converted

LISTS = ("steady_state", "method", "rollbacks")


def to_yaml(converted: Converted, source_name: str) -> str:
    lines = [
        f"# Converted by `chaosml import` from the Chaos Toolkit experiment {source_name}",
        f"# (title: {converted.experiment['title']!r}).",
        "# What changed: the conversion report of chaosml import, and docs/migrating.md.",
    ]
    for key, value in converted.experiment.items():
        if key in LISTS:
            lines.append(f"{key}:")
            for i, item in enumerate(value):
                comment = converted.comments.get((key, i))
                if comment:
                    lines.append(f"  # {comment}")
                lines.extend(_item(item))
        else:
            lines.append(_dump({key: value}).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _item(item: Any) -> list[str]:
    dumped = _dump([item]).rstrip("\n").splitlines()
    return [f"  {line}" for line in dumped]


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)
