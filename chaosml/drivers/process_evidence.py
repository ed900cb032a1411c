"""Evidence of ``process.kill``: the signal delivered, and each signalled process's state after.

A signal that ends a process (SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGABRT) has an effect on the
processes gone within ``SETTLE_SECONDS``; SIGSTOP/SIGTSTP on those stopped; any other signal
(SIGHUP, SIGUSR1...) counts as delivered, since the process may handle it and keep running.
"""

from __future__ import annotations

from pathlib import Path

from chaosml.contract.records import Evidence
from chaosml.io import procfs

SETTLE_SECONDS = 2.0
ENDING = frozenset({"SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGABRT"})
STOPPING = frozenset({"SIGSTOP", "SIGTSTP"})


def process_state(pid: int) -> str:
    """``gone``, ``stopped``, ``running`` (or sleeping: alive and not stopped)."""
    try:
        letter = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
    if letter in ("Z", "X"):
        return "gone"
    return "stopped" if letter in ("T", "t") else "running"


def kill_evidence(signal: str, delivered: list[int]) -> Evidence:
    """``SIGTERM delivered to 1 process: 4242 gone``."""
    wanted = "gone" if signal in ENDING else "stopped" if signal in STOPPING else None
    if wanted is not None:  # a signal takes effect soon after delivery, not at once
        procfs.wait_until(
            lambda: all(process_state(p) == wanted for p in delivered), SETTLE_SECONDS
        )
    states = {pid: process_state(pid) for pid in delivered}
    hits = sum(1 for s in states.values() if wanted is None or s == wanted)
    shown = ", ".join(f"{pid} {state}" for pid, state in states.items()) or "none"
    summary = f"{signal} delivered to {len(delivered)} process(es): {shown}"
    counters: dict[str, int | float | str] = {
        "signal": signal,
        "delivered": len(delivered),
        "affected": hits,
    }
    return Evidence(hits > 0, summary, counters)
