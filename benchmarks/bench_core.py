"""Wall time of the same experiment — 10 HTTP probes against a local server — in chaosml and, where
it is installed, Chaos Toolkit; plus `chaosml --help` start-up time. Prints figures and ratios.

    python benchmarks/bench_core.py [--runs 5] [--chaos PATH_TO_chaos]

Chaos Toolkit is found as `chaos` on PATH, or given with --chaos / CHAOSTOOLKIT_BIN.
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


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def median_of(runs: int, command: list[str], cwd: Path) -> float:
    return statistics.median(timed(command, cwd) for _ in range(runs))


def chaosml_engine_seconds(journal: Path) -> float:
    """The run itself, as its journal records it (no interpreter start-up, no imports)."""
    last = json.loads(journal.read_text().splitlines()[-1])
    return float(last["duration_s"])


def ctk_engine_seconds(work: Path) -> float:
    return float(json.loads((work / "journal.json").read_text())["duration"])


def compare(args: argparse.Namespace, url: str, label: str) -> None:
    chaosml = [sys.executable, "-m", "chaosml"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "exp.yaml").write_text(chaosml_experiment(url))
        (work / "exp.json").write_text(ctk_experiment(url))
        ours = median_of(args.runs, [*chaosml, "run", "exp.yaml", "--journal", "j.jsonl"], work)
        ours_engine = chaosml_engine_seconds(work / "j.jsonl")
        print(f"-- {PROBES} HTTP probes, {label}")
        print(
            f"   chaosml                  : {ours * 1000:7.1f} ms process, "
            f"{ours_engine * 1000:6.1f} ms the run itself (journal)"
        )
        if not args.chaos:
            print(
                "   Chaos Toolkit not installed (pip install chaostoolkit, or --chaos PATH): no ratio"
            )
            return
        theirs = median_of(args.runs, [args.chaos, "--no-log-file", "run", "exp.json"], work)
        theirs_engine = ctk_engine_seconds(work)
        print(
            f"   Chaos Toolkit            : {theirs * 1000:7.1f} ms process, "
            f"{theirs_engine * 1000:6.1f} ms the run itself (journal)"
        )
        print(
            f"   ratio chaosml / CTK      : process {ours / theirs:.2f}, "
            f"run itself {ours_engine / theirs_engine:.2f}   (target <= 0.5)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--chaos", default=os.environ.get("CHAOSTOOLKIT_BIN") or shutil.which("chaos")
    )
    args = parser.parse_args()
    http.server.ThreadingHTTPServer.request_queue_size = 128  # concurrent probes: no SYN drops
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        help_s = median_of(args.runs * 2, [sys.executable, "-m", "chaosml", "--help"], Path(tmp))
    print(f"chaosml --help: {help_s * 1000:.1f} ms   (target < 150 ms)")
    compare(args, url, "instant local server")
    _Handler.delay_s = 0.05
    compare(args, url, "local server answering in 50 ms (a model server's order of latency)")
    httpd.shutdown()


if __name__ == "__main__":
    main()
