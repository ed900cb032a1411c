"""The Kubernetes API server partitioned from chaosml in the middle of a run: the chaosml
proxy's ``timeout`` toxic both ways, connections stay open, nothing answers (the table and the
refused cut: test_lost_api.py; the shared parts: lost_api.py)."""

from __future__ import annotations

import pytest

from tests.integration.k8s.lost_api import lost_mid_method_test

pytestmark = [pytest.mark.slow]


test_api_server_lost_mid_method_leaves_the_undo_pending_for_rollback = lost_mid_method_test(
    "blackhole"
)
