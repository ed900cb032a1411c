"""model.swap on this machine: a file or a directory swapped and restored (digest-checked), the
reload step over HTTP and by a signal, a tampered snapshot refused, rollback in a new process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.drivers.model_swap import ModelSwap, ModelSwapParams
from chaosml.errors import DriverError
from tests.fixtures.http_servers import QuietHandler, serving


def ctx(tmp_path: Path) -> DriverContext:
    return DriverContext(run_id="run1", state_dir=str(tmp_path / "state"), fault_id="m0")


def params(**raw: Any) -> ModelSwapParams:
    return ModelSwapParams.model_validate(raw)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    live = tmp_path / "serving" / "model"
    (live / "weights").mkdir(parents=True)
    (live / "config.json").write_text('{"version": 3}')
    (live / "weights" / "w.bin").write_bytes(b"\x00\x01" * 100)
    return live


def test_a_directory_is_swapped_and_restored_from_the_record_alone(
    tmp_path: Path, model_dir: Path
) -> None:
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "config.json").write_text('{"version": 1}')
    original = tree(model_dir)
    p = params(path=str(model_dir), **{"with": str(stale)})
    driver = ModelSwap()
    record = driver.plan(p, ctx(tmp_path))
    assert tree(model_dir) == original  # plan touches nothing
    driver.apply(p, ctx(tmp_path))
    assert tree(model_dir) == {"config.json": b'{"version": 1}'}
    evidence = driver.applied_evidence(p, ctx(tmp_path), record)
    assert evidence is not None and evidence.effect
    assert evidence.summary == f"1 of 1 artifacts at {model_dir} now hold the replacement"
    replayed = UndoRecord.from_json(json.loads(json.dumps(record.to_json())))
    ModelSwap().undo(replayed, ctx(tmp_path))
    assert tree(model_dir) == original
    ModelSwap().undo(replayed, ctx(tmp_path))  # idempotent
    assert tree(model_dir) == original
    assert not list((tmp_path / "serving").glob(".model.swap-*"))  # no staging left behind


def test_a_file_is_swapped_and_a_tampered_snapshot_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "model.json"
    live.write_text('{"trained_at": "2026-12-01"}')
    stale = tmp_path / "stale.json"
    stale.write_text('{"trained_at": "2020-01-01"}')
    p = params(path=str(live), **{"with": str(stale)})
    driver = ModelSwap()
    record = driver.plan(p, ctx(tmp_path))
    driver.apply(p, ctx(tmp_path))
    assert live.read_text() == stale.read_text()
    snapshot = Path(record.data["artifacts"][0]["snapshot"])
    other = tmp_path / "other.json"
    other.write_text("{}")
    with tarfile.open(snapshot, "w") as tar:
        tar.add(other, arcname="model.json")
    with pytest.raises(DriverError, match="does not match its recorded digest"):
        driver.undo(record, ctx(tmp_path))
    assert live.read_text() == stale.read_text()  # left as it was: a person decides


def test_a_missing_artifact_or_replacement_changes_nothing(tmp_path: Path) -> None:
    live = tmp_path / "model.json"
    with pytest.raises(DriverError, match="does not exist"):
        ModelSwap().plan(params(path=str(live), **{"with": "x"}), ctx(tmp_path))
    live.write_text("v3")
    p = params(path=str(live), **{"with": str(tmp_path / "absent.json")})
    with pytest.raises(DriverError, match="cannot read"):
        ModelSwap().apply(p, ctx(tmp_path))
    assert live.read_text() == "v3"


class _ModelServer(QuietHandler):
    """Loads the model file named by the class attribute on POST /reload; GET / shows it."""

    path: Path
    loaded: list[str] = []

    def do_POST(self) -> None:
        type(self).loaded.append(type(self).path.read_text())
        self.reply_json(200, {"reloaded": True})

    def do_GET(self) -> None:
        self.reply_json(200, {"loaded": type(self).loaded})


@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[tuple[str, type[_ModelServer]]]:
    handler = type("Server", (_ModelServer,), {"path": tmp_path / "model.json", "loaded": []})
    with serving(handler) as url:
        yield url, handler


def test_http_reload_after_apply_and_after_undo(
    tmp_path: Path, model_server: tuple[str, type[_ModelServer]]
) -> None:
    url, server = model_server
    (tmp_path / "model.json").write_text("good")
    (tmp_path / "nan.json").write_text("nan-producing")
    reload = {"http": {"url": f"{url}/reload"}}
    p = params(
        path=str(tmp_path / "model.json"), reload=reload, **{"with": str(tmp_path / "nan.json")}
    )
    record = ModelSwap().plan(p, ctx(tmp_path))
    ModelSwap().apply(p, ctx(tmp_path))
    assert server.loaded == ["nan-producing"]
    ModelSwap().undo(record, ctx(tmp_path))
    assert server.loaded == ["nan-producing", "good"]


def test_a_failing_reload_undoes_the_swap(tmp_path: Path) -> None:
    live = tmp_path / "model.json"
    live.write_text("good")
    (tmp_path / "bad.json").write_text("bad")
    reload = {"http": {"url": "http://127.0.0.1:9/reload", "timeout": 1}}  # nothing listens
    p = params(path=str(live), reload=reload, **{"with": str(tmp_path / "bad.json")})
    ModelSwap().plan(p, ctx(tmp_path))
    with pytest.raises(DriverError):
        ModelSwap().apply(p, ctx(tmp_path))
    assert live.read_text() == "good"


SIGNAL_SERVER = """
import pathlib, signal, sys, time
model, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
signal.signal(signal.SIGHUP, lambda *a: out.write_text(out.read_text() + model.read_text() + ";"))
out.write_text("")
time.sleep(60)
"""


def test_signal_reload_to_a_local_process(tmp_path: Path) -> None:
    live, out, pid_file = tmp_path / "model.json", tmp_path / "loads.txt", tmp_path / "srv.pid"
    live.write_text("good")
    (tmp_path / "stale.json").write_text("stale")
    server = subprocess.Popen([sys.executable, "-c", SIGNAL_SERVER, str(live), str(out)])
    try:
        _wait(lambda: out.exists())
        pid_file.write_text(str(server.pid))
        reload = {"signal": "HUP", "pid_file": str(pid_file)}
        p = params(path=str(live), reload=reload, **{"with": str(tmp_path / "stale.json")})
        record = ModelSwap().plan(p, ctx(tmp_path))
        ModelSwap().apply(p, ctx(tmp_path))
        _wait(lambda: out.read_text() == "stale;")
        ModelSwap().undo(record, ctx(tmp_path))
        _wait(lambda: out.read_text() == "stale;good;")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()


def _wait(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_reload_needs_exactly_one_way() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        params(path="/m", reload={}, **{"with": "/x"})
    with pytest.raises(ValueError, match="unknown signal"):
        params(path="/m", reload={"signal": "SIGNOPE"}, **{"with": "/x"})
    with pytest.raises(ValueError, match="must be absolute"):
        params(path="m", target="t", **{"with": "/x"})
