"""The lock keys of local targets: what a step touches on this host, whichever file it is in."""

from __future__ import annotations

import os
from pathlib import Path

from chaosml.engine.lock import target_keys
from chaosml.loader import load_text


def _keys(text: str, path: str) -> list[str]:
    loaded = load_text(text, path)
    return target_keys(loaded.raw, path)


FEED = """
version: 1
title: t
method:
  - fault: feed.corrupt
    file: data/features.csv
    mode: nan
    fields: [income]
  - fault: process.kill
    pid_file: /run/exporter.pid
  - fault: process.kill
    pattern: "my-exporter --port 91"
  - fault: proxy.latency
    proxy: {name: features}
    latency: 300ms
"""


def test_two_copies_of_an_experiment_share_their_local_keys(tmp_path: Path) -> None:
    first = _keys(FEED, str(tmp_path / "a" / "exp.yaml"))
    second = _keys(FEED, str(tmp_path / "b" / "exp.yaml"))
    assert first == second
    assert first == sorted(
        [
            f"file:{Path(os.getcwd(), 'data/features.csv')}",
            "pid_file:/run/exporter.pid",
            "pattern:my-exporter --port 91",
            "proxy:default/features",
        ]
    )


def test_an_experiment_that_touches_nothing_local_is_locked_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    keys = _keys("version: 1\ntitle: t\nmethod:\n  - wait: 0s\n", str(path))
    assert keys == [f"experiment:{path.resolve()}"]
