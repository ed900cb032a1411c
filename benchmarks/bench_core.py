"""Wall time of the same experiment — 10 HTTP probes against a local server — in chaosml and, where
it is installed, Chaos Toolkit; plus `chaosml --help` start-up time. Prints figures and ratios.

    python benchmarks/bench_core.py [--runs 7] [--chaos PATH_TO_chaos]

Chaos Toolkit is found as `chaos` on PATH, or given with --chaos / CHAOSTOOLKIT_BIN.
Both tools run with compiled bytecode, warmed up once, then in turns (medians printed). Two
figures per tool: the whole process, and the run itself as its own journal records it. A third
line, the floor, is a process that merely imports the libraries the core issue prescribes for
this path (typer, pyyaml, requests, tenacity): no chaosml built on them can start faster.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROBES = 10


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body
    delay_s = 0.0  # the service's own response time

    def do_GET(self) -> None:
        time.sleep(self.delay_s)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def chaosml_experiment(url: str) -> str:
    probes = "\n".join(
        f'  - name: probe {i}\n    http: {{url: "{url}/health/{i}"}}\n    expect: {{status: 200}}'
        for i in range(PROBES)
    )
    return f"version: 1\ntitle: ten probes\nsteady_state:\n{probes}\nmethod:\n  - wait: 0s\n"


def ctk_experiment(url: str) -> str:
    probes = [
        {
            "type": "probe",
            "name": f"probe {i}",
            "tolerance": 200,
            "provider": {"type": "http", "url": f"{url}/health/{i}", "timeout": 5},
        }
        for i in range(PROBES)
    ]
    return json.dumps(
        {
            "version": "1.0.0",
            "title": "ten probes",
            "description": "bench",
            "steady-state-hypothesis": {"title": "healthy", "probes": probes},
            "method": [
                {"type": "action", "name": "noop", "provider": {"type": "process", "path": "true"}}
            ],
            "rollbacks": [],
        }
    )


def child_env(pycache: Path) -> dict[str, str]:
    """Both tools run with compiled bytecode, as a pip install leaves them.

    Sessions here export PYTHONDONTWRITEBYTECODE=1; an editable checkout would then recompile
    every chaosml module on every start while Chaos Toolkit's site-packages are precompiled.
    A private PYTHONPYCACHEPREFIX (filled by the warm-up run) keeps the checkout clean.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


@dataclass(frozen=True)
class Contender:
    label: str
    command: list[str]
    run_itself: Callable[[Path], float] | None = None  # read from its journal after each run


@dataclass(frozen=True)
class Timing:
    process_s: float  # median wall time of the whole process
    run_itself_s: float | None  # median of what its journal says the run took


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def interleaved(
    runs: int, contenders: list[Contender], cwd: Path, env: dict[str, str]
) -> list[Timing]:
    """One warm-up each, then the contenders take turns (A B C A B C …) so that the load of a
    shared machine falls on all of them alike; medians of each."""
    for contender in contenders:
        timed(contender.command, cwd, env)
    walls: list[list[float]] = [[] for _ in contenders]
    selves: list[list[float]] = [[] for _ in contenders]
    for _ in range(runs):
        for i, contender in enumerate(contenders):
            walls[i].append(timed(contender.command, cwd, env))
            if contender.run_itself is not None:
                selves[i].append(contender.run_itself(cwd))
    return [
        Timing(statistics.median(w), statistics.median(s) if s else None)
        for w, s in zip(walls, selves, strict=True)
    ]


def chaosml_run_itself(work: Path) -> float:
    """The run itself, as its journal records it (no interpreter start-up, no imports)."""
    last = json.loads((work / "j.jsonl").read_text().splitlines()[-1])
    return float(last["duration_s"])


def ctk_run_itself(work: Path) -> float:
    return float(json.loads((work / "journal.json").read_text())["duration"])


# The libraries the issue prescribes for this path (CLI, YAML, HTTP probe, retries): a process
# that only imports them is the least any chaosml built on them can cost.
FLOOR_IMPORTS = "import typer, yaml, requests, tenacity"


def compare(args: argparse.Namespace, url: str, label: str, env: dict[str, str]) -> None:
    chaosml = Contender(
        "chaosml",
        [sys.executable, "-m", "chaosml", "run", "exp.yaml", "--journal", "j.jsonl"],
        chaosml_run_itself,
    )
    contenders = [chaosml]
    if args.chaos:
        contenders.append(
            Contender(
                "Chaos Toolkit", [args.chaos, "--no-log-file", "run", "exp.json"], ctk_run_itself
            )
        )
        contenders.append(Contender("floor", [sys.executable, "-c", FLOOR_IMPORTS]))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "exp.yaml").write_text(chaosml_experiment(url))
        (work / "exp.json").write_text(ctk_experiment(url))
        timings = interleaved(args.runs, contenders, work, env)
    print(f"-- {PROBES} HTTP probes, {label}")
    for contender, timing in zip(contenders[:2], timings, strict=False):
        print(
            f"   {contender.label:<25}: {timing.process_s * 1000:7.1f} ms process, "
            f"{(timing.run_itself_s or 0) * 1000:6.1f} ms the run itself (journal)"
        )
    if not args.chaos:
        print(
            "   Chaos Toolkit not installed (pip install chaostoolkit, or --chaos PATH): no ratio"
        )
        return
    ours, theirs, floor = timings
    assert ours.run_itself_s is not None and theirs.run_itself_s is not None
    print(
        f"   ratio chaosml / CTK      : process {ours.process_s / theirs.process_s:.2f}, "
        f"run itself {ours.run_itself_s / theirs.run_itself_s:.2f}   (target <= 0.5)"
    )
    print(
        f"   floor ({FLOOR_IMPORTS}): {floor.process_s * 1000:6.1f} ms "
        f"= {floor.process_s / theirs.process_s:.2f} of CTK's whole process"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--chaos", default=os.environ.get("CHAOSTOOLKIT_BIN") or shutil.which("chaos")
    )
    args = parser.parse_args()
    http.server.ThreadingHTTPServer.request_queue_size = 128  # concurrent probes: no SYN drops
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    with tempfile.TemporaryDirectory() as pycache:
        env = child_env(Path(pycache))
        help_cmd = Contender("--help", [sys.executable, "-m", "chaosml", "--help"])
        (help_timing,) = interleaved(args.runs * 2, [help_cmd], Path(pycache), env)
        print(f"chaosml --help: {help_timing.process_s * 1000:.1f} ms   (target < 150 ms)")
        compare(args, url, "instant local server", env)
        _Handler.delay_s = 0.05
        compare(
            args, url, "local server answering in 50 ms (a model server's order of latency)", env
        )
    httpd.shutdown()


if __name__ == "__main__":
    main()
