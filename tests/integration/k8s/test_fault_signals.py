"""A k8s fault in place when the run gets SIGINT or SIGTERM (real API server, simulated nodes:
pods run no containers): undone, exit 130. (The fault cases, and each applied, seen and undone at
the end of the run or by ``chaosml rollback``: test_faults.py.)"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.integration.docker.cli import (
    finish,
    resolved_members,
    run_end,
    start_chaosml,
    wait_for_event,
)
from tests.integration.k8s.helpers import Objects
from tests.integration.k8s.test_faults import FAULTS, case_experiment

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_signal_during_a_k8s_fault_undoes_it_and_exits_130(
    fault: str, sig: signal.Signals, objs: Objects, tmp_path: Path
) -> None:
    case = FAULTS[fault]
    case.setup(objs)
    exp = case_experiment(tmp_path, objs.namespace, case, hold=True)
    journal = tmp_path / "journal.jsonl"
    proc = start_chaosml("run", exp, "--journal", journal)
    wait_for_event(journal, "probe.result", proc, name="fault observed", ok=True)
    members = resolved_members(journal, "victim")
    assert case.in_place(objs, members)

    proc.send_signal(sig)
    code, output = finish(proc)

    assert code == 130, output
    assert case.restored(objs, members)
    end = run_end(journal)
    assert end["status"] == "interrupted" and end["pending_undos"] == []
