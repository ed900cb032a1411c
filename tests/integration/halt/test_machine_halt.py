"""The machine-wide halt (issue 22): one account's ``chaosml halt`` reaches another account's
run on the same host; both are refused until it is cleared (docs/safety.md)."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from tests.integration.halt.accounts import (
    Account,
    becomes_stopped,
    paused_run,
    process_state,
    seconds_to_exit,
    stop_events,
    victim,
)

STOP_WITHIN_S = 2.0


def _two_accounts(tmp_path: Path) -> tuple[Account, Account, Path]:
    machine = tmp_path / "machine-halt"  # the host's halt directory; chaosml halt creates it
    env = {"CHAOSML_SYSTEM_HALT_DIR": str(machine)}
    return Account(tmp_path / "alice", env), Account(tmp_path / "bob", env), machine


def test_one_accounts_halt_aborts_the_others_run_and_refuses_both(tmp_path: Path) -> None:
    alice, bob, machine = _two_accounts(tmp_path)
    with victim() as pid:
        with paused_run(alice, pid) as (run, journal):
            assert becomes_stopped(pid)  # the fault is in place
            halted = bob.chaosml("halt", "--reason", "incident 42: paging storm")
            pulled = time.monotonic()
            assert halted.returncode == 0, halted.stderr
            assert f"machine: {machine / 'HALT'}" in halted.stdout
            took = seconds_to_exit(run, pulled)
            out, err = run.communicate()
        assert process_state(pid) != "T"  # the undo resumed it
    assert run.returncode == 4, out + err
    assert took < STOP_WITHIN_S, f"the run stopped {took:.2f}s after the halt"
    print(f"machine halt: the other account's run ended {took:.2f}s after chaosml halt returned")
    assert "incident 42: paging storm" in out and f"@{socket.gethostname()}" in out
    active, end = stop_events(journal)
    assert active["scope"] == "machine" and active["reason"] == "incident 42: paging storm"
    assert active["user"] and active["host"] == socket.gethostname() and active["at"]
    assert end["status"] == "aborted" and "incident 42" in str(end["reason"])
    assert oct((machine).stat().st_mode & 0o7777) == "0o1777"  # every account may use it
    for account in (alice, bob):
        refused = account.quick_run()
        assert refused.returncode == 2 and "incident 42" in refused.stdout + refused.stderr
    cleared = alice.chaosml("halt", "--clear")
    assert cleared.returncode == 0 and "halt cleared (machine:" in cleared.stdout
    for account in (alice, bob):
        assert account.quick_run().returncode == 0


def test_status_names_every_scope_and_who_halted(tmp_path: Path) -> None:
    alice, bob, _ = _two_accounts(tmp_path)
    assert bob.chaosml("halt", "--scope", "user", "--reason", "only bob").returncode == 0
    assert alice.quick_run().returncode == 0  # bob's own scope: alice runs on
    assert bob.quick_run().returncode == 2
    status = bob.chaosml("halt", "--status")
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    assert any(line.startswith("HALTED  user:") and "only bob" in line for line in lines)
    assert any(line.startswith("clear   machine:") for line in lines)


def test_an_unwritable_machine_dir_falls_back_to_the_account(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    bob = Account(tmp_path / "bob", {"CHAOSML_SYSTEM_HALT_DIR": str(blocker / "halt")})
    halted = bob.chaosml("halt", "--reason", "fallback")
    assert halted.returncode == 0
    assert "cannot write the machine-wide halt" in halted.stderr
    assert "halting only this account's runs" in halted.stderr
    assert (bob.home / ".local/state/chaosml/HALT").exists()
    assert bob.quick_run().returncode == 2
    assert not os.path.exists(blocker / "halt")
