"""The API server lost in the middle of a run (test_lost_api.py: refused, and the run lost
before it; test_lost_api_partition.py: partitioned): the chaosml proxy in front of the API
server, the faults applied through it, and the check both modules run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from kubernetes import client

from tests.fixtures.proxy_env import ProxyProcess
from tests.integration.docker.cli import (
    chaosml,
    events,
    finish,
    run_end,
    start_chaosml,
    wait_for_event,
)
from tests.integration.k8s.helpers import Objects, experiment, probe, target

PROXY = "kube-api"
STREAMS = ("upstream", "downstream")
ORIGINAL = {"model_path": "/models/v1"}
MARKER = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "chaos-marker"}}
# The bounds this test holds the run to, from the cut. Measured: refused, the run ends at the
# end of the wait (15.8 s; 5.8 s with the probe, its 5 s wait included); partitioned, each call
# waits for its timeout: 33.8 s (the wait, then 3 undo attempts of ~5 s), 29 s with the probe
# (5 s wait + 8 s read timeout + the undos). Before the bounded client: 106 s, exit 6.
WAIT_CUT_BOUND_S = 65.0
PROBE_CUT_BOUND_S = 50.0


@dataclass
class ProxiedApi:
    """The API server behind the chaosml proxy, and a kubeconfig that goes through it."""

    proxy: ProxyProcess
    kubeconfig: Path
    address: str  # 127.0.0.1:PORT, the proxy's listener

    def enabled(self, on: bool) -> None:
        url = f"{self.proxy.api_url}/proxies/{PROXY}"
        reply = requests.post(url, json={"enabled": on}, timeout=5)
        assert reply.status_code == 200, reply.text

    def blackhole(self) -> None:
        """Nothing passes any more, and no connection is closed (a partition, not a refusal)."""
        for stream in STREAMS:
            toxic = {"name": f"hole-{stream}", "type": "timeout", "stream": stream}
            self.proxy.add_toxic(PROXY, {**toxic, "attributes": {"timeout": 0}})

    def cut(self, how: str) -> None:
        if how == "refused":
            self.enabled(False)
        else:
            self.blackhole()

    def restore(self, how: str) -> None:
        if how == "refused":
            self.enabled(True)
        else:
            for stream in STREAMS:
                self.proxy.remove_toxic(PROXY, f"hole-{stream}")


@dataclass(frozen=True)
class Fault:
    step: Callable[[str], dict[str, Any]]
    in_place: Callable[[Objects], bool]
    undone: Callable[[Objects], bool]
    clean: Callable[[Objects], None]  # undo it directly (admin client) when the test fails


def _restore_config(objs: Objects) -> None:
    body = {"data": ORIGINAL}
    with contextlib.suppress(client.exceptions.ApiException):
        objs.core.patch_namespaced_config_map("model-config", objs.namespace, body)


def _delete_marker(objs: Objects) -> None:
    with contextlib.suppress(client.exceptions.ApiException):
        objs.core.delete_namespaced_config_map("chaos-marker", objs.namespace)


FAULTS: dict[str, Fault] = {
    "model.swap": Fault(  # issue 17: the model path a ConfigMap key holds
        lambda ns: {
            "fault": "model.swap",
            "configmap": {"target": "victim", "key": "model_path"},
            "with": "/models/stale",
        },
        lambda objs: objs.data("model-config") == {"model_path": "/models/stale"},
        lambda objs: objs.data("model-config") == ORIGINAL,
        _restore_config,
    ),
    "k8s.apply": Fault(
        lambda ns: {"fault": "k8s.apply", "namespace": ns, "manifest": MARKER},
        lambda objs: "chaos-marker" in objs.data_names(),
        lambda objs: "chaos-marker" not in objs.data_names(),
        _delete_marker,
    ),
}


def lost_method(ns: str, fault: Fault, after_cut: str) -> list[dict[str, Any]]:
    if after_cut == "wait":
        return [fault.step(ns), {"wait": "15s"}]
    reads = probe(
        "config readable",
        ns,
        {"equals": True},
        kind="configmap",
        name="model-config",
        field="exists",
    )
    return [fault.step(ns), {"wait": "5s"}, reads]


EXPECTED = {"wait": (6, "rollback-incomplete"), "probe": (5, "failed")}


def check_lost_mid_method(
    name: str,
    after_cut: str,
    cut: str,
    objs: Objects,
    proxied: ProxiedApi,
    cleanup: list[Fault],
    tmp_path: Path,
) -> None:
    """The run loses the API server (``cut``) ``after_cut`` the fault: ends in time with the
    undo pending, and ``chaosml rollback`` undoes it once the API is back."""
    fault = FAULTS[name]
    cleanup.append(fault)
    ns = objs.namespace
    victim = {"victim": target(ns, "configmap", "model-config")}
    exp = experiment(tmp_path, ns, victim, lost_method(ns, fault, after_cut))
    journal = tmp_path / "journal.jsonl"
    env = {"KUBECONFIG": str(proxied.kubeconfig)}
    proc = start_chaosml("run", exp, "--journal", journal, env=env)
    try:
        wait_for_event(journal, "fault.applied", proc)
        assert fault.in_place(objs)
        proxied.cut(cut)
        began = time.monotonic()
        code, output = finish(proc, timeout=WAIT_CUT_BOUND_S + 300)
        took = time.monotonic() - began
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    print(f"{name} / {after_cut} / {cut}: the run ended {took:.1f}s after the cut (exit {code})")
    bound = WAIT_CUT_BOUND_S if after_cut == "wait" else PROBE_CUT_BOUND_S
    assert took < bound, output
    end = run_end(journal)
    assert (code, end["status"]) == EXPECTED[after_cut], output
    assert proxied.address in end["reason"] and proxied.address in output, output
    assert "Traceback" not in output
    [reverted] = events(journal, "fault.reverted")
    assert not reverted["ok"] and proxied.address in reverted["error"], reverted
    [pending] = end["pending_undos"]
    assert pending["undo_id"] == reverted["undo_id"]
    assert fault.in_place(objs)  # nothing undid it: the API was gone

    proxied.restore(cut)
    done = chaosml("rollback", journal, env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert fault.undone(objs)
    assert events(journal, "fault.reverted")[-1]["ok"]
    again = chaosml("rollback", journal, env=env)
    assert again.returncode == 0 and "nothing to roll back" in again.stdout, again.stdout


def lost_mid_method_test(cut: str) -> Callable[..., None]:
    """The lost-mid-method test for one kind of cut, over every fault and moment: a module
    assigns it to a ``test_…`` name (test_lost_api.py: refused; test_lost_api_partition.py:
    blackhole), so the two cuts run on different workers."""

    @pytest.mark.parametrize("cut", [cut])
    @pytest.mark.parametrize("after_cut", sorted(EXPECTED))
    @pytest.mark.parametrize("name", sorted(FAULTS))
    def lost_mid_method(
        name: str,
        after_cut: str,
        cut: str,
        objs_with_config: Objects,
        proxied: ProxiedApi,
        cleanup: list[Fault],
        tmp_path: Path,
    ) -> None:
        check_lost_mid_method(name, after_cut, cut, objs_with_config, proxied, cleanup, tmp_path)

    return lost_mid_method
