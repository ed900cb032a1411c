"""The target lock file masks secrets and is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from chaosml import redaction
from chaosml.engine import lock

SECRET = "S3CR3T-lock-4b1d"


def test_the_lock_file_masks_a_secret_title_and_is_0600(tmp_path: Path) -> None:
    redaction.remember([SECRET])
    held = lock.acquire([f"target:{SECRET}"], "run-1", f"drill {SECRET}", tmp_path)
    try:
        (path,) = held.held
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert SECRET not in path.read_text()
        assert "drill ***" in path.read_text()
    finally:
        held.release()
    assert not list(tmp_path.glob("*.json"))
