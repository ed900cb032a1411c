"""CPU time of starting chaosml's commands and services, against bare Python baselines.

    python benchmarks/bench_cli_startup.py [--runs 9] [--source DIR]

The test suite starts ~900 ``python -m chaosml …`` processes and hundreds of service processes;
nearly all their CPU goes to imports. Measured here, as CPU seconds (user + sys) of the child:

- ``python -m chaosml run NOOP`` (one ``wait: 0s`` step: a complete run, journal included),
  ``validate NOOP``, ``--help``, ``halt --status`` and ``report --help``;
- ``python -m chaosml.proxy`` until it prints that its API listens (then SIGTERM);
- the imports of the other services' entry modules (watchdog, demo model server, feature
  service, traffic): ``python -c "import MODULE"``;
- baselines: ``python -c pass`` and ``python -c "import pydantic, typer, yaml"`` (the libraries
  every command needs: no chaosml command can start for less).

Every command runs once to warm up, then all take turns (A B C … A B C) ``--runs`` times, so
the load of a shared machine falls on all alike; medians are printed with their ratio to each
baseline. Bytecode is compiled once into a private PYTHONPYCACHEPREFIX (as an installed package
has it), whatever PYTHONDONTWRITEBYTECODE says. ``--source DIR`` measures another checkout of
chaosml (e.g. ``git archive COMMIT | tar -x -C DIR``): it goes first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NOOP = "version: 1\ntitle: no-op\nmethod:\n  - wait: 0s\n"
PY = sys.executable
SERVICE_MODULES = (
    "chaosml.watchdog.watch",
    "chaosml.demo.model_server",
    "chaosml.demo.feature_service",
    "chaosml.demo.traffic",
)


@dataclass(frozen=True)
class Subject:
    label: str
    measure: Callable[[Path, dict[str, str]], float]  # CPU seconds of one start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(label: str, *argv: str, ok: tuple[int, ...] = (0,)) -> Subject:
    def measure(work: Path, env: dict[str, str]) -> float:
        before = children_cpu()
        done = subprocess.run([PY, *argv], cwd=work, env=env, capture_output=True, text=True)
        took = children_cpu() - before
        if done.returncode not in ok:
            raise SystemExit(f"{label} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return took

    return Subject(label, measure)


def proxy_until_ready(work: Path, env: dict[str, str]) -> float:
    """The proxy's CPU from exec to the "API listening" line (/proc's utime + stime)."""
    proc = subprocess.Popen(
        [PY, "-m", "chaosml.proxy", "--api", "127.0.0.1:0"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening" not in line:
            raise SystemExit(f"proxy did not start: {line!r}")
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def subjects() -> list[Subject]:
    return [
        command("python -c pass", "-c", "pass"),
        command("import pydantic, typer, yaml", "-c", "import pydantic, typer, yaml"),
        command("chaosml --help", "-m", "chaosml", "--help"),
        command("chaosml run NOOP", "-m", "chaosml", "run", "noop.yaml", "--journal-dir", "j"),
        command("chaosml validate NOOP", "-m", "chaosml", "validate", "noop.yaml"),
        command("chaosml halt --status", "-m", "chaosml", "halt", "--status"),
        command("chaosml report --help", "-m", "chaosml", "report", "--help"),
        Subject("proxy to ready", proxy_until_ready),
        *(command(f"import {m}", "-c", f"import {m}") for m in SERVICE_MODULES),
    ]


def child_env(work: Path, source: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["CHAOSML_HALT_FILE"] = str(work / "HALT")
    env["CHAOSML_RUNS_DIR"] = str(work / "runs")
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    return env


def measure_all(runs: int, source: Path | None) -> list[list[float]]:
    with tempfile.TemporaryDirectory(prefix="chaosml-bench-") as tmp:
        work = Path(tmp)
        (work / "noop.yaml").write_text(NOOP)
        env = child_env(work, source)
        where = subprocess.run(
            [PY, "-c", "import chaosml; print(chaosml.__file__)"],
            cwd=work,
            env=env,
            capture_output=True,
        )
        print(f"chaosml from {where.stdout.decode().strip()}")
        every = subjects()
        for subject in every:  # warm-up: bytecode, page cache
            subject.measure(work, env)
        cpu: list[list[float]] = [[] for _ in every]
        for _ in range(runs):
            for i, subject in enumerate(every):
                cpu[i].append(subject.measure(work, env))
        return cpu


def report(cpu: list[list[float]]) -> None:
    medians = [statistics.median(c) for c in cpu]
    bare, libs = medians[0], medians[1]
    print(f"{'':32} {'CPU ms':>8} {'/ pass':>7} {'/ libs':>7}  (median of {len(cpu[0])})")
    for subject, median in zip(subjects(), medians, strict=True):
        print(f"{subject.label:32} {median * 1000:8.0f} {median / bare:7.2f} {median / libs:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--source", type=Path, help="a checkout of chaosml to measure instead")
    args = parser.parse_args()
    report(measure_all(args.runs, args.source.resolve() if args.source else None))


if __name__ == "__main__":
    main()
