"""Proxies declared in a file (``--config``): Toxiproxy's JSON array, or the same in YAML.

``[{name, listen, upstream, enabled?, protocol?}]`` or ``{proxies: [...]}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chaosml.errors import InputError


def load_proxies(path: str) -> list[dict[str, Any]]:
    """The proxy declarations in ``path``; InputError naming the file when it is unreadable."""
    import yaml  # local: most proxies start without a --config file

    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InputError(f"cannot read proxy config {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: not valid JSON/YAML: {exc}") from None
    if isinstance(data, dict) and "proxies" in data:
        data = data["proxies"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InputError(f"{path}: expected a list of proxies (name, listen, upstream)")
    return data
