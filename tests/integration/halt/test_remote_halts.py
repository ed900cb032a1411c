"""Team and cluster halts (issue 22): a halt in PostgreSQL, a Kubernetes ConfigMap or an HTTP
service stops a run on "another machine" (a second process with its own HOME, machine halt
directory and config: no shared files) within 2 s; an unreachable halt source fails closed."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from chaosml.io.ports import free_port
from tests.fixtures.k8s_env import KubeCluster
from tests.integration.core.interrupts import events
from tests.integration.halt.accounts import (
    Account,
    becomes_stopped,
    paused_run,
    process_state,
    seconds_to_exit,
    stop_events,
    victim,
)
from tests.integration.halt.http_halt_server import http_halt_service, url_of

STOP_WITHIN_S = 2.0


def _machine(tmp_path: Path, name: str, url: str, kubeconfig: Path | None = None) -> Account:
    """An account on a machine of its own: its own HOME, machine halt directory and config."""
    home = tmp_path / name
    env = {"CHAOSML_SYSTEM_HALT_DIR": str(home / "system-halt"), "CHAOSML_HALT_URL": url}
    if kubeconfig is not None:
        (home / ".kube").mkdir(parents=True)
        shutil.copy(kubeconfig, home / ".kube" / "config")  # its own copy of the credentials
        env["KUBECONFIG"] = str(home / ".kube" / "config")
    return Account(home, env)


def _halt_reaches_the_other_machine(
    tmp_path: Path, url: str, scope: str, kube: Path | None = None
) -> None:
    runner = _machine(tmp_path, "runner", url, kube)
    operator = _machine(tmp_path, "operator", url, kube)
    with victim() as pid:
        with paused_run(runner, pid) as (run, journal):
            assert becomes_stopped(pid)
            halted = operator.chaosml("halt", "--scope", url, "--reason", "cluster incident")
            pulled = time.monotonic()
            assert halted.returncode == 0, halted.stdout + halted.stderr
            took = seconds_to_exit(run, pulled)
            out, err = run.communicate()
        assert process_state(pid) != "T"  # the fault was undone
    assert run.returncode == 4, out + err
    assert took < STOP_WITHIN_S, f"the run stopped {took:.2f}s after the {scope} halt"
    print(f"{scope} halt: the other machine's run ended {took:.2f}s after chaosml halt returned")
    active, end = stop_events(journal)
    assert active["scope"] == scope and active["reason"] == "cluster incident"
    assert "cluster incident" in out and end["status"] == "aborted"
    status = runner.chaosml("halt", "--status")
    assert f"HALTED  {scope}:" in status.stdout and "cluster incident" in status.stdout
    assert runner.quick_run().returncode == 2
    cleared = runner.chaosml("halt", "--clear", "--scope", url)
    assert cleared.returncode == 0 and f"halt cleared ({scope}:" in cleared.stdout
    assert operator.quick_run().returncode == 0


def test_a_postgresql_halt_stops_a_run_on_another_machine(
    tmp_path: Path, postgres_url: str
) -> None:
    _halt_reaches_the_other_machine(tmp_path, postgres_url, "postgresql")


def test_a_configmap_halt_stops_a_run_on_another_machine(
    tmp_path: Path, k8s_env: KubeCluster, k8s_namespace: str
) -> None:
    url = f"k8s://{k8s_namespace}/chaosml-halt"
    _halt_reaches_the_other_machine(tmp_path, url, "k8s", k8s_env.kubeconfig)


def test_an_http_halt_stops_a_run_on_another_machine(tmp_path: Path) -> None:
    with http_halt_service() as service:
        _halt_reaches_the_other_machine(tmp_path, url_of(service), "http")


def test_an_unreachable_halt_source_aborts_by_default(tmp_path: Path) -> None:
    account = _machine(tmp_path, "runner", f"http://127.0.0.1:{free_port()}/halt")
    done = account.quick_run()
    assert done.returncode == 4, done.stdout + done.stderr
    assert "is unreachable" in done.stdout and "failing closed" in done.stdout


def test_warn_runs_on_without_an_unreachable_halt_source(tmp_path: Path) -> None:
    account = _machine(tmp_path, "runner", f"http://127.0.0.1:{free_port()}/halt")
    exp = account.home / "quick.yaml"
    exp.write_text("version: 1\ntitle: quick\nmethod:\n  - wait: 2s\n")
    journal = account.home / "j.jsonl"
    done = account.chaosml(
        "run", str(exp), "--journal", str(journal), "--halt-source-unreachable=warn"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    lost = [e for e in events if e["event"] == "halt.unreachable"]
    assert len(lost) == 1 and lost[0]["policy"] == "warn" and lost[0]["scope"] == "http"
    assert "unreachable (warn)" in done.stdout


def test_a_halt_service_lost_mid_run_aborts_and_undoes(tmp_path: Path) -> None:
    with http_halt_service() as service:
        account = _machine(tmp_path, "runner", url_of(service))
        with victim() as pid:
            with paused_run(account, pid) as (run, journal):
                service.shutdown()
                service.server_close()
                lost = time.monotonic()
                took = seconds_to_exit(run, lost)
                out, err = run.communicate()
            assert process_state(pid) != "T"
    assert run.returncode == 4, out + err
    assert took < 4.0 and "is unreachable" in out
    lost_events = [e for e in events(journal) if e["event"] == "halt.unreachable"]
    assert lost_events and lost_events[0]["policy"] == "abort"
    print(f"lost halt service: the run ended {took:.2f}s after it went away")


@pytest.mark.parametrize("url", ["ftp://example/halt", "k8s://Bad_Name"])
def test_a_bad_halt_url_is_refused_before_anything_runs(tmp_path: Path, url: str) -> None:
    account = _machine(tmp_path, "runner", url)
    done = account.quick_run()
    assert done.returncode == 2 and "halt URL" in done.stderr
    assert "Traceback" not in done.stderr
