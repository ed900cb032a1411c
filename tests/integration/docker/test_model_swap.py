"""model.swap inside real containers: a model directory swapped in each container of a target,
the container's main process told to reload by a signal, restored from the record alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chaosml.contract.records import UndoRecord
from chaosml.drivers.model_swap import ModelSwap
from chaosml.errors import DriverError
from tests.fixtures.docker_env import Container, ContainerFactory, docker
from tests.integration.docker.helpers import ctx_for, params

pytestmark = pytest.mark.docker

# The container's "model server": makes its model, then on SIGHUP appends what it loads.
SERVER = """
import os, pathlib, signal, time
model = pathlib.Path("/srv/model")
(model / "weights").mkdir(parents=True)
(model / "config.json").write_text("v3")
(model / "weights" / "w.bin").write_bytes(bytes(range(256)))
log = pathlib.Path("/srv/loads.txt")
signal.signal(signal.SIGHUP, lambda *a: log.write_text(log.read_text() + (model / "config.json").read_text() + ";"))
log.write_text("")
while True:
    time.sleep(1)
"""


def _model_server(containers: ContainerFactory) -> Container:
    box = containers.run(command=["/usr/bin/python3", "-c", SERVER], http=False)
    _wait(lambda: _cat(box, "/srv/loads.txt") == "")
    return box


def _cat(box: Container, path: str) -> str | None:
    out = docker("exec", box.id, "cat", path, check=False)
    return out if "No such file" not in out else None


def _listing(box: Container) -> str:
    return docker("exec", box.id, "sh", "-c", "cd /srv/model && find . | sort && cat config.json")


def _wait(condition: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_swap_in_every_container_of_the_target_reload_and_restore(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    a, b = _model_server(containers), _model_server(containers)
    before = {box.id: _listing(box) for box in (a, b)}
    stale = tmp_path / "stale-model"
    stale.mkdir()
    (stale / "config.json").write_text("v1")
    fault = ModelSwap()
    p = params(
        fault, target="t", path="/srv/model", reload={"signal": "SIGHUP"}, **{"with": str(stale)}
    )
    ctx = ctx_for(a, b)
    record = fault.plan(p, ctx)
    fault.apply(p, ctx)
    for box in (a, b):
        assert _listing(box) == ".\n./config.json\nv1"
        _wait(lambda box=box: _cat(box, "/srv/loads.txt") == "v1;")
    evidence = fault.applied_evidence(p, ctx, record)
    assert evidence is not None and evidence.effect and evidence.counters["swapped"] == 2

    replayed = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    fault.undo(replayed, ctx_for())  # a fresh context, as `chaosml rollback` has
    for box in (a, b):
        assert _listing(box) == before[box.id]
        _wait(lambda box=box: _cat(box, "/srv/loads.txt") == "v1;v3;")
    fault.undo(replayed, ctx_for())  # idempotent: nothing to do, no reload
    time.sleep(0.3)
    assert _cat(a, "/srv/loads.txt") == "v1;v3;"


def test_a_path_missing_in_a_container_is_refused_before_anything_changes(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    box = containers.run(
        http=False, command=["/usr/bin/python3", "-c", "import time; time.sleep(600)"]
    )
    (tmp_path / "m").write_text("x")
    fault = ModelSwap()
    p = params(fault, target="t", path="/srv/nothing", **{"with": str(tmp_path / "m")})
    with pytest.raises(DriverError, match="does not exist"):
        fault.plan(p, ctx_for(box))
