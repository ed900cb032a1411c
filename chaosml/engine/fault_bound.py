"""When a run's faults are undone at the latest, as a wall-clock time: what an expiry written on
a fault's target (``chaosml.io/expires-at`` on Kubernetes objects) is set to, so that
``chaosml reap`` may remove whatever a run that died with its watchdog left, and never
something a living run still holds.

The bound is the run's start, plus how long the run may last (``blast_radius.max_duration``
or the game day's deadline, whichever is shorter; without either, the experiment's worst case
as ``validate`` computes it: waits, step and probe timeouts, recovery), plus the time its undos
may take (``--undo-timeout`` times attempts, per fault step), plus a margin. ``--keep-faults`` runs
have no bound: their faults are meant to stay (the step's own ``expires_after`` applies).
"""

from __future__ import annotations

import time

from chaosml.engine.state import RunOptions
from chaosml.model import experiment as m
from chaosml.model.static_checks import worst_case_seconds

MARGIN_S = 60.0


def faults_end_by(exp: m.Experiment, options: RunOptions, now: float | None = None) -> float | None:
    if options.keep_faults:
        return None
    limits = [s for s in (exp.blast_radius.max_duration, options.deadline_s) if s is not None]
    run_s = min(limits) if limits else worst_case_seconds(exp)
    faults = sum(isinstance(step, m.FaultStep) for step in exp.method)
    undo_s = max(1, faults) * options.undo_timeout * options.undo_attempts
    return (time.time() if now is None else now) + run_s + undo_s + MARGIN_S
