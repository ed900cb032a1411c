"""The bounds of the resource faults: sizes and rates as people write them, and the share of
this host's memory and CPUs a fault may take at most."""

from __future__ import annotations

import os
import re
from pathlib import Path

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_UNIT_PATTERN = "(?i:b|k|kb|kib|m|mb|mib|g|gb|gib)?"
SIZE_SCHEMA = {  # the written forms, for `chaosml schema` (docs/drivers/resource.md)
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": rf"^\s*\d+(\.\d+)?\s*{_UNIT_PATTERN}\s*$"},
    ]
}
RATE_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": rf"^\s*\d+(\.\d+)?\s*{_UNIT_PATTERN}(/s)?\s*$"},
    ]
}


def parse_size(text: object) -> int:
    """Bytes of ``512MiB``, ``1.5GB``, ``1048576``; ValueError naming the text otherwise (also
    for what a YAML file may hold instead: null, a list, a mapping, a boolean)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a size (e.g. 256MiB, 1GB, 1048576)")
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size (e.g. 256MiB, 1GB, 1048576)")
    return int(float(match.group(1)) * _UNITS[unit])


def parse_rate(text: object) -> int:
    """Bytes per second of ``50MiB/s`` (or a size: per second)."""
    if isinstance(text, str) and text.strip().endswith("/s"):
        text = text.strip()[:-2]
    return parse_size(text)


def host_memory_bytes() -> int:
    """MemTotal of this host (``/proc/meminfo``)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise OSError("no MemTotal in /proc/meminfo")


def host_cpus() -> int:
    return os.cpu_count() or 1


def memory_over_share(total: int, share: float) -> str | None:
    """Why ``total`` bytes is more than ``share`` % of this host's memory, else None."""
    allowed = host_memory_bytes() * share / 100
    if total <= allowed:
        return None
    return (
        f"{format_bytes(total)} is above {share:g}% of this host's memory "
        f"({format_bytes(int(allowed))} of {format_bytes(host_memory_bytes())})"
    )


def cpus_over_share(cores: int, share: float) -> str | None:
    allowed = host_cpus() * share / 100
    if cores <= allowed:
        return None
    return f"{cores} cores is above {share:g}% of this host's {host_cpus()} CPUs ({allowed:g})"


def format_bytes(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"
