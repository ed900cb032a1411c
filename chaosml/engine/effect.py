"""Evidence of effect: ask each fault what it did, journal it, and judge a fault that did nothing.

After ``apply()`` the driver's ``applied_evidence()`` and before ``undo()`` its
``undo_evidence()`` are asked (bounded, in a worker thread); an answer becomes a
``fault.evidence`` event. At the end of the run :func:`no_effect_reason` reads those events back
from the journal: a method fault whose last evidence says ``effect: false`` (and whose step does
not say ``allow_no_effect: true``) turns a completed or deviated run into ``failed`` (exit 5),
and the expected alerts after it that did not fire are marked "not tested".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from chaosml.contract.context import DriverContext
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers.base import FaultDriver
from chaosml.drivers.registry import Registry
from chaosml.engine.threads import call_blocking
from chaosml.errors import ChaosMLError
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import FaultEvidence, ProbeResult
from chaosml.journal.writer import JournalWriter

if TYPE_CHECKING:  # `chaosml rollback` replays undos without an experiment model (~50 ms)
    from chaosml.engine.state import RunState
    from chaosml.model import experiment as m

EVIDENCE_TIMEOUT_S = 10.0
JUDGED_STATUSES = ("completed", "deviated")


async def after_apply(
    driver: FaultDriver[Any],
    step: m.FaultStep,
    index: int,
    ctx: DriverContext,
    record: UndoRecord | None,
    undo_id: str | None,
    journal: JournalWriter,
) -> None:
    """Journal what ``apply()`` did, when the driver can tell right away."""
    ask = partial(driver.applied_evidence, step.params, ctx, record)
    await _ask(ask, journal, undo_id=undo_id, step=index, fault=step.fault, when="applied")


async def before_undo(
    undo_id: str,
    step: int | None,
    record: UndoRecord,
    registry: Registry,
    ctx: DriverContext,
    journal: JournalWriter,
) -> None:
    """Journal what a lasting fault did while it was in place (read before it is removed)."""
    try:
        driver = registry.fault(record.kind)
    except ChaosMLError:
        return
    ask = partial(driver.undo_evidence, record, ctx)
    await _ask(ask, journal, undo_id=undo_id, step=step, fault=record.kind, when="undo")


async def _ask(ask: Callable[[], Evidence | None], journal: JournalWriter, **where: Any) -> None:
    try:
        evidence = await call_blocking(ask, EVIDENCE_TIMEOUT_S, f"evidence of {where['fault']}")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # evidence informs the verdict; failing to read it never breaks a run
        why = exc.message if isinstance(exc, ChaosMLError) else f"{type(exc).__name__}: {exc}"
        journal.write(FaultEvidence(**where, effect=None, summary=f"unknown: {why}"))
        return
    if evidence is not None:
        journal.write(FaultEvidence(**where, **evidence.to_json()))


def no_effect_reason(state: RunState, status: str) -> str | None:
    """The reason a completed/deviated run fails because a fault had no effect, else None.

    Marks the expected alerts that did not fire after a no-effect fault as not tested. Judged
    on this run's own events as written (an appended journal holds earlier runs too).
    """
    events = state.journal.written
    idle = _no_effect_faults(events)
    if not idle:
        return None
    first_step = min(_step_of(e) for e in idle)
    _mark_untested(state, events, first_step)
    refused = [e for e in idle if not _allowed(state.experiment, e.step)]
    if not refused or status not in JUDGED_STATUSES:
        return None
    return "; ".join(f"the fault {e.fault} had no effect: {e.summary}" for e in refused)


def _no_effect_faults(events: list[JournalEvent]) -> list[FaultEvidence]:
    """The last evidence of each fault that says anything (unknown says nothing), where it says
    no effect."""
    last: dict[Any, FaultEvidence] = {}
    for event in events:
        if isinstance(event, FaultEvidence) and event.effect is not None:
            last[event.undo_id or ("step", event.step)] = event
    return [e for e in last.values() if e.effect is False]


def _step_of(event: FaultEvidence) -> int:
    return -1 if event.step is None else event.step


def _allowed(experiment: m.Experiment, step: int | None) -> bool:
    if not isinstance(step, int) or not 0 <= step < len(experiment.method):
        return False
    fault = experiment.method[step]
    from chaosml.model.experiment import FaultStep

    return isinstance(fault, FaultStep) and fault.allow_no_effect


def _mark_untested(state: RunState, events: list[JournalEvent], after_step: int) -> None:
    later = {
        e.name
        for e in events
        if isinstance(e, ProbeResult)
        and e.kind == "expect_alert"
        and e.step is not None
        and e.step > after_step
    }
    for name, alert in state.alerts.items():
        if name in later and not alert.get("fired"):
            alert["tested"] = False
            alert["fired"] = None


def untested_only_reason(state: RunState) -> str | None:
    """When every deviation of a run is an expected alert that was not tested (it followed a
    fault allowed to have no effect), the run's reason without them, else None: an untested
    alert is reported "not tested", never "did not fire" (issue 23)."""
    untested = [n for n, a in state.alerts.items() if a.get("tested") is False]
    if not untested or not state.deviations:
        return None
    others = [d for d in state.deviations if not any(d.startswith(f"alert {n} ") for n in untested)]
    if others:
        return None
    names = ", ".join(untested)
    return f"the hypothesis held; not tested (the fault before had no effect): {names}"
