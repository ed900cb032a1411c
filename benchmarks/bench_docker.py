"""How fast chaosml's Docker faults act, against the plain docker CLI measured in the same run.

    python benchmarks/bench_docker.py [--repeat 3]

For 1 and for 20 containers (each serving HTTP on 127.0.0.1), it measures
- kill: from the start of the docker.kill step (plan + apply) to every container dead;
- undo: from the start of the undo (start) to every container answering HTTP again;
and the same with `docker kill NAMES…` / `docker start NAMES…` as the baseline. The median of
``--repeat`` rounds is printed with the ratio chaosml / CLI (below 1: chaosml is faster).
Needs a Docker engine (scripts/ci/docker-up.sh). Everything it starts is labelled
chaosml.test=1 and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaosml.contract.context import DriverContext
from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.drivers.docker_driver import DockerEngine
from chaosml.drivers.docker_faults import DockerKill

IMAGE = "chaosml-test/base:latest"
MOUNTS = [a for p in ("/usr", "/lib", "/lib64", "/bin", "/etc") for a in ("-v", f"{p}:{p}:ro")]
SERVER = ["/usr/bin/python3", "-m", "http.server", "8000", "--bind", "0.0.0.0"]
POLL_S = 0.01


@dataclass
class Box:
    id: str
    name: str
    port: int
    tag: str  # the value of the chaosml.bench label all boxes of a measurement share


def docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_boxes(count: int) -> list[Box]:
    tag = uuid.uuid4().hex[:6]

    def one(i: int) -> Box:
        name, port = f"chaosml-bench-{tag}-{i}", free_port()
        cid = docker(
            "run", "-d", "--init", "--name", name, "--label", "chaosml.test=1",
            "--label", f"chaosml.bench={tag}",
            *MOUNTS, "-w", "/tmp", "-p", f"127.0.0.1:{port}:8000", IMAGE, *SERVER,
        )  # fmt: skip
        return Box(cid, name, port, tag)

    with ThreadPoolExecutor(8) as pool:
        boxes = list(pool.map(one, range(count)))
    wait_until(lambda: all_answer(boxes))
    return boxes


def answers(box: Box) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{box.port}/", timeout=0.5) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def all_answer(boxes: list[Box]) -> bool:
    with ThreadPoolExecutor(len(boxes)) as pool:
        return all(pool.map(answers, boxes))


def all_dead(boxes: list[Box]) -> bool:
    """One container list call per poll, not one inspect per container."""
    return not DockerEngine().list_running({"chaosml.bench": boxes[0].tag})


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the containers did not get there in time")
        time.sleep(POLL_S)


def timed(
    action: Callable[[], object], boxes: list[Box], until: Callable[[list[Box]], bool]
) -> float:
    started = time.perf_counter()
    action()
    wait_until(lambda: until(boxes))
    return time.perf_counter() - started


def chaosml_round(boxes: list[Box]) -> tuple[float, float]:
    members = tuple(TargetMember(b.id, b.name) for b in boxes)
    ctx = DriverContext("bench", targets={"t": ResolvedTarget("t", "docker", members, len(boxes))})
    fault = DockerKill()
    params = fault.params_model.model_validate({"target": "t"})
    records = []

    def kill() -> None:
        records.append(fault.plan(params, ctx))
        fault.apply(params, ctx)

    kill_s = timed(kill, boxes, all_dead)
    record = records[0]
    assert record is not None
    undo_s = timed(lambda: fault.undo(record, ctx), boxes, all_answer)
    return kill_s, undo_s


def cli_round(boxes: list[Box]) -> tuple[float, float]:
    names = [b.name for b in boxes]
    kill_s = timed(lambda: docker("kill", *names), boxes, all_dead)
    undo_s = timed(lambda: docker("start", *names), boxes, all_answer)
    return kill_s, undo_s


def measure(count: int, repeat: int) -> dict[str, list[float]]:
    boxes = start_boxes(count)
    figures: dict[str, list[float]] = {k: [] for k in ("kill", "undo", "cli_kill", "cli_start")}
    try:
        chaosml_round(boxes)  # warm-up: the SDK client, the page cache
        for _ in range(repeat):
            kill_s, undo_s = chaosml_round(boxes)
            cli_kill_s, cli_start_s = cli_round(boxes)
            figures["kill"].append(kill_s)
            figures["undo"].append(undo_s)
            figures["cli_kill"].append(cli_kill_s)
            figures["cli_start"].append(cli_start_s)
    finally:
        docker("rm", "-f", *[b.id for b in boxes])
    return figures


def report(count: int, figures: dict[str, list[float]]) -> None:
    rows = [
        ("docker.kill step → all dead", "kill", "cli_kill", "docker kill"),
        ("undo → all answering HTTP", "undo", "cli_start", "docker start"),
    ]
    for label, ours, theirs, cli in rows:
        a, b = statistics.median(figures[ours]), statistics.median(figures[theirs])
        print(f"{count:>3}  {label:<30} chaosml {a * 1000:8.1f} ms   {cli:<12} {b * 1000:8.1f} ms"
              f"   ratio {a / b:5.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    print(f"docker engine {docker('version', '--format', '{{.Server.Version}}')}, "
          f"{os.cpu_count()} cpu(s), median of {args.repeat} rounds")  # fmt: skip
    for count in args.counts:
        report(count, measure(count, args.repeat))


if __name__ == "__main__":
    main()
