"""Guard reaction time and alert-detection error, measured with real Prometheus/Alertmanager.

    python benchmarks/bench_guards.py [--reps 3]

1. Guard reaction: a ``metrics`` guard on a gauge exporter, a fault (a marker file) and a 60 s
   wait. The benchmark sets the gauge over the threshold and measures breach -> every fault
   reverted (the ``fault.reverted`` event's wall time), for several guard intervals. Baseline:
   the guard interval itself (a breach is seen at the next sample at worst).
2. Alert detection: an exporter killed by ``process.kill``; ``VictimDown`` fires. Reference:
   Prometheus's own ``activeAt``, read by the benchmark. chaosml's time to detect (from
   ``activeAt``) against a poll-based measure (when chaosml first saw the alert firing) — the
   baseline a tool gets without reading ``activeAt``. Measured twice: on time, and with
   chaosml's wall clock 5 s ahead (faketime) — activeAt mapped through the measured offset.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from chaosml.drivers.alert_states import parse_rfc3339  # noqa: E402
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob, free_port  # noqa: E402
from tests.fixtures.faketime import faketime_env  # noqa: E402
from tests.fixtures.prom_env import GAUGE, RULES, Exporter  # noqa: E402
from tests.integration.prometheus.runner import (  # noqa: E402
    ActiveAtWatcher,
    run_chaosml,
    victim_kill_experiment,
    wait_until,
)


def guard_experiment(tmp: Path, gauge: Exporter, every: float) -> Path:
    marker = tmp / "fault-active"
    path = tmp / "guard.yaml"
    path.write_text(f"""
version: 1
title: guard reaction benchmark
blast_radius: {{environments: [test]}}
guards:
  - name: gauge below 10
    every: {every}s
    metrics: {{url: "{gauge.metrics_url}", name: {GAUGE}}}
    expect: {{below: 10}}
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - wait: 60s
""")
    return path


def guard_reaction(tmp: Path, gauge: Exporter, every: float) -> float:
    """Seconds from the breach to the last fault reverted."""
    gauge.set(1)
    marker = tmp / "fault-active"

    def breach(_: object) -> float:
        wait_until(marker.exists, 30, "the fault")
        time.sleep(random.uniform(0, every))  # land the breach anywhere in the interval
        started = time.time()
        gauge.set(50)
        return started

    result = run_chaosml(guard_experiment(tmp, gauge, every), tmp, during=breach)
    assert result.exit_code == 4, result.output
    reverted = max(e["wall"] for e in result.of("fault.reverted"))
    return float(reverted - result.watched[0])


def detection_errors(
    tmp: Path, victim: Exporter, stack: MonitoringStack, shift: float = 0.0
) -> tuple[float, float]:
    """(|chaosml ttd - reference|, |poll-based ttd - reference|) for one kill, with chaosml's
    wall clock ``shift`` seconds off (faketime; the reference is on Prometheus's true time)."""
    extra = faketime_env(shift) if shift else None
    with ActiveAtWatcher(stack.prometheus_url, "VictimDown") as watcher:
        urls = (stack.prometheus_url, stack.alertmanager_url)
        experiment = victim_kill_experiment(tmp, victim, *urls, "prometheus")
        result = run_chaosml(experiment, tmp, extra_env=extra)
    assert result.exit_code == 0, result.output
    applied = result.one("fault.applied")["wall"] - shift  # on the true clock
    fired = result.one("alert.fired")
    reference = parse_rfc3339(min(watcher.seen)) - applied
    polled = fired["wall"] - shift - applied
    wait_until(victim.alive, 10, "the victim back")
    return abs(fired["time_to_detect_s"] - reference), abs(polled - reference)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--alerts-only", action="store_true", help="skip the guard benchmark")
    args = parser.parse_args()
    reps = args.reps
    tmp = Path(tempfile.mkdtemp(prefix="chaosml-bench-"))
    victim = Exporter("victim", free_port(), tmp / "victim.pid")
    gauge = Exporter("gauge", free_port(), tmp / "gauge.pid")
    jobs = [ScrapeJob(e.job, [f"127.0.0.1:{e.port}"]) for e in (victim, gauge)]
    try:
        victim.start()
        gauge.start()
        with MonitoringStack(jobs=jobs, rules=RULES, with_pushgateway=False) as stack:
            if not args.alerts_only:
                report_guards(tmp, gauge, reps)
            report_detection(tmp, victim, stack, reps)
    finally:
        victim.kill()
        gauge.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def report_guards(tmp: Path, gauge: Exporter, reps: int) -> None:
    print("guard reaction (breach -> all faults reverted), metrics guard")
    print(f"{'interval':>9} {'mean':>8} {'max':>8} {'max/interval':>13}")
    for every in (0.25, 0.5, 1.0):
        times = [guard_reaction(tmp, gauge, every) for _ in range(reps)]
        worst = max(times)
        mean = statistics.mean(times)
        print(f"{every:>8.2f}s {mean:>7.3f}s {worst:>7.3f}s {worst / every:>13.2f}")


def report_detection(tmp: Path, victim: Exporter, stack: MonitoringStack, reps: int) -> None:
    for shift in (0.0, 5.0):
        errors = [detection_errors(tmp, victim, stack, shift) for _ in range(reps)]
        print_detection(errors, shift)


def print_detection(errors: list[tuple[float, float]], shift: float) -> None:
    ours = [e[0] for e in errors]
    polled = [e[1] for e in errors]
    skew = f", chaosml's clock {shift:+g}s off (faketime)" if shift else ""
    print(f"alert detection error vs Prometheus activeAt (VictimDown, 1 s scrape/eval{skew})")
    print(
        f"  chaosml (activeAt)  mean {statistics.mean(ours) * 1000:8.2f} ms  "
        f"max {max(ours) * 1000:8.2f} ms"
    )
    print(
        f"  poll-based baseline mean {statistics.mean(polled) * 1000:8.2f} ms  "
        f"max {max(polled) * 1000:8.2f} ms"
    )
    ratio = statistics.mean(polled) / max(statistics.mean(ours), 1e-6)
    print(f"  baseline error / chaosml error: {ratio:.0f}x")


if __name__ == "__main__":
    main()
