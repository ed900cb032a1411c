"""The Kubernetes API server is lost in the middle of a run (simulated nodes: pods run no
containers). chaosml reaches the API server through the real chaosml proxy in TCP mode (TLS
passes through unchanged; the serving certificate is for 127.0.0.1); the test cuts it by
disabling the proxy (its listener and every open connection closed) while it reads the cluster
itself through the admin kubeconfig.

The cut is a refusal (the proxy disabled: listener and connections closed) or a partition
(the proxy's ``timeout`` toxic both ways: connections stay open, nothing answers).

| when the API goes | the run |
|---|---|
| during a ``wait`` after the fault | the wait ends, the undo fails: rollback-incomplete, exit 6 |
| before a ``k8s`` probe after the fault | failed, exit 5; the undo failed for the same reason |
| before the run (blast-radius resolution) | failed, exit 5; nothing applied |

In each case the message names the API server's address, no traceback; the journal keeps the
undo pending (``fault.reverted`` ``ok: false``, ``run.end.pending_undos``), the fault is still
in place, and once the API is back ``chaosml rollback JOURNAL`` undoes it (exit 0).

Here the refusals and the API lost before the run; the partitions: test_lost_api_partition.py;
what they share: lost_api.py and the ``proxied`` fixtures (conftest.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.docker.cli import chaosml, events
from tests.integration.k8s.helpers import Objects, experiment, target
from tests.integration.k8s.lost_api import (
    FAULTS,
    ORIGINAL,
    PROBE_CUT_BOUND_S,
    Fault,
    ProxiedApi,
    lost_mid_method_test,
)

pytestmark = [pytest.mark.slow]


test_api_server_lost_mid_method_leaves_the_undo_pending_for_rollback = lost_mid_method_test(
    "refused"
)


def test_api_server_lost_before_the_run_applies_nothing_and_exits_5(
    objs_with_config: Objects, proxied: ProxiedApi, cleanup: list[Fault], tmp_path: Path
) -> None:
    fault = FAULTS["model.swap"]
    cleanup.append(fault)
    objs = objs_with_config
    ns = objs.namespace
    victim = {"victim": target(ns, "configmap", "model-config")}
    exp = experiment(tmp_path, ns, victim, [fault.step(ns), {"wait": "60s"}])
    journal = tmp_path / "journal.jsonl"
    proxied.enabled(False)

    began = time.monotonic()
    done = chaosml("run", exp, "--journal", journal, env={"KUBECONFIG": str(proxied.kubeconfig)})
    took = time.monotonic() - began

    print(f"API lost before the run: it ended after {took:.1f}s (exit {done.returncode})")
    output = done.stdout + done.stderr
    assert done.returncode == 5, output
    assert proxied.address in output and "Traceback" not in output
    assert took < PROBE_CUT_BOUND_S
    assert events(journal, "fault.applied") == []
    assert objs.data("model-config") == ORIGINAL
