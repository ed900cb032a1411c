"""The Kubernetes API server partitioned from chaosml in the middle of a run: the chaosml
proxy's ``timeout`` toxic both ways, connections stay open, nothing answers (the table and the
refused cut: test_lost_api.py; the shared parts: lost_api.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.k8s.helpers import Objects
from tests.integration.k8s.lost_api import (
    EXPECTED,
    FAULTS,
    Fault,
    ProxiedApi,
    check_lost_mid_method,
)

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("cut", ["blackhole"])
@pytest.mark.parametrize("after_cut", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_api_server_lost_mid_method_leaves_the_undo_pending_for_rollback(
    name: str,
    after_cut: str,
    cut: str,
    objs_with_config: Objects,
    proxied: ProxiedApi,
    cleanup: list[Fault],
    tmp_path: Path,
) -> None:
    check_lost_mid_method(name, after_cut, cut, objs_with_config, proxied, cleanup, tmp_path)
