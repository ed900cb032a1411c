"""One run, phase by phase (DESIGN.md §1). Rollback always runs; the journal is always closed."""

from __future__ import annotations

import asyncio
import signal
import time
import traceback
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chaosml.engine import (
    alert_clocks,
    alert_preconditions,
    blast_radius,
    effect,
    halt,
    impact,
    lock,
    notify_sinks,
    proxies,
    source_checks,
    watchers,
)
from chaosml.engine.alerts import alerts_resolve
from chaosml.engine.method import MethodRunner, run_action
from chaosml.engine.outcome import EXIT_FOR_STATUS, RunOutcome, Status
from chaosml.engine.probing import ProbeOutcome, record_outcome, run_probe
from chaosml.engine.rollback import UndoStack
from chaosml.engine.signals import ROUTER
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.errors import ChaosMLError, InfrastructureError, RefusedError
from chaosml.exit_codes import most_severe
from chaosml.halt.board import HaltBoard
from chaosml.journal.events import RollbackStepRan, RunEnded, RunStop, TargetResolved
from chaosml.model import experiment as m

T = TypeVar("T")
STOP_EFFECT = {  # what a stop does, by the phase it comes in (docs/signals.md)
    "before": "nothing more starts; what was applied is rolled back",
    "rollback": "the undos finish; recovery is skipped",
    "recovery": "recovery ends now",
    "second": "the rest of the rollback is skipped; its undos stay pending",
    "ignored": "a second signal counts only while the undos run",
}
DEFAULT_RECOVERY = m.Recovery(within=30.0, every=1.0)


@dataclass
class Verdict:
    status: Status
    reason: str
    ended_by: str


@dataclass
class Runner:
    state: RunState
    stack: UndoStack
    debug: bool = False
    stop: Verdict | None = None  # a signal, the halt switch, a guard or the deadline
    signals: int = 0
    work: asyncio.Task[Any] | None = None  # the phase a stop cancels: blast radius to method
    rollback_task: asyncio.Task[bool] | None = None
    recovery_task: asyncio.Task[Verdict] | None = None
    watchers: list[asyncio.Task[None]] = field(default_factory=list)
    halt_watch: asyncio.Task[None] | None = None
    halt_board: HaltBoard | None = None  # every halt source and stop condition (safety.md)
    method: MethodRunner | None = None
    method_done: bool = False
    finished: bool = False  # run.end is being written
    rollback_steps_run: int = 0  # explicit ``rollbacks`` steps done
    target_lock: lock.TargetLock | None = None
    ephemeral_proxies: list[proxies.ProxyHandle] = field(default_factory=list)

    # -- the whole run ------------------------------------------------------------------------
    async def execute(self) -> RunOutcome:
        with ROUTER.attached(self.on_signal):
            try:
                return self._finish(await self._guarded_run())
            finally:
                notify_sinks.stop_all(self.state, journal=False)  # after run.end: nothing listens
                proxies.stop_all(self.ephemeral_proxies)
                if self.halt_board is not None:
                    self.halt_board.stop()
                if self.target_lock is not None:
                    self.target_lock.release()

    async def _guarded_run(self) -> Verdict:
        """Every phase; whatever escapes them still ends the run with a verdict (and run.end)."""
        try:
            return await self._phases()
        except ChaosMLError as exc:
            return Verdict(Status.FAILED, exc.with_next_step(), "error")
        except Exception as exc:
            return self._internal_error(exc)

    async def _phases(self) -> Verdict:
        early = await self._guarded(self._prepare())
        if early is not None:
            return early
        verdict = await self._guarded(self._steady_and_method())
        assert verdict is not None
        verdict = await self._rollback_and_recover(verdict)
        if no_effect := effect.no_effect_reason(self.state, verdict.status.value):
            verdict = Verdict(Status.FAILED, no_effect, "no-effect")
        elif verdict.status == Status.DEVIATED and (
            held := effect.untested_only_reason(self.state)
        ):
            verdict = Verdict(Status.COMPLETED, held, "completed")
        await self._guarded(alert_clocks.measure(self.state, "end"))  # a stop ends it at once
        return self._stopped(verdict)  # a signal while measuring still counts (exit 130)

    async def _prepare(self) -> Verdict | None:
        """Blast radius, dry run, ephemeral proxies: a verdict when the run ends here."""
        refusal = await self._blast_radius()
        if refusal is not None:
            return refusal
        if self.state.options.dry_run:
            return Verdict(Status.COMPLETED, "dry run: nothing was touched", "dry-run")
        self.ephemeral_proxies = proxies.start_all(self.state)
        notify_sinks.start_all(self.state)  # before any fault (issue 19)
        return None

    async def _guarded(self, phase: Coroutine[Any, Any, T]) -> T | Verdict:
        """Run a phase a stop can cancel; a tool error becomes the verdict."""
        if self.stop is not None:  # a signal came before the phase began
            phase.close()
            return self.stop
        task = asyncio.create_task(phase)
        self.work = task
        try:
            return await task
        except asyncio.CancelledError:
            if self.stop is not None:
                return self.stop
            raise
        except ChaosMLError as exc:
            return Verdict(Status.FAILED, exc.with_next_step(), "error")
        except Exception as exc:
            return self._internal_error(exc)

    def _internal_error(self, exc: Exception) -> Verdict:
        detail = traceback.format_exc() if self.debug else f"{type(exc).__name__}: {exc}"
        return Verdict(Status.FAILED, f"internal error: {detail}", "error")

    async def _blast_radius(self) -> Verdict | None:
        state = self.state
        state.set_phase("blast-radius")
        try:
            await self._start_halt_board()
            blast_radius.check_static(state.experiment, state.options, self.halt_board)
            self.target_lock = lock.acquire(
                state.lock_keys, state.ctx.run_id, state.experiment.title, state.options.lock_dir
            )
            self._watch_halt()  # after the static check: a halt already in force refuses (2)
            await asyncio.sleep(0)  # its first look now: an unreachable source aborts (4)
            targets = await call_blocking(
                lambda: blast_radius.resolve_targets(
                    state.experiment, state.registry, state.ctx, state.ctx.seed
                ),
                60.0,
                "resolve targets",
            )
        except RefusedError as exc:
            return Verdict(Status.REFUSED, exc.with_next_step(), "refused")
        state.ctx.targets.update(targets)
        for name, target in targets.items():
            spec = state.experiment.blast_radius.targets[name]
            state.journal.write(
                TargetResolved(
                    target=target.to_json(), seed=state.ctx.seed, require_label=spec.require_label
                )
            )
        return None

    async def _steady_and_method(self) -> Verdict:
        self.state.set_phase(
            "steady-state-before"
        )  # before observe: its first sample is the baseline
        self._start_watchers()
        source_checks.insecure_sources(self.state)  # tls.insecure_skip_verify, said loudly
        await asyncio.sleep(0)  # observe's first sample is read in this phase: the baseline
        steady = await self._steady_before()
        if steady is not None:
            return steady
        self.state.set_phase("method")
        for guard in self.state.experiment.guards:
            self.watchers.append(
                asyncio.create_task(watchers.watch_guard(guard, self.state, self.abort))
            )
        self.method = MethodRunner(self.state, self.stack)
        held = await self.method.run()
        held = await impact.assess(self.state) and held  # faults still in place (issue 14)
        self.method_done = True
        if held:
            return Verdict(Status.COMPLETED, "the hypothesis held", "completed")
        return Verdict(Status.DEVIATED, "; ".join(self.state.deviations) or "deviated", "deviation")

    # -- steady state -------------------------------------------------------------------------
    async def _steady_before(self) -> Verdict | None:
        state = self.state
        outcomes = await asyncio.gather(
            *(run_probe(p, state) for p in state.experiment.steady_state)
        )
        for outcome in outcomes:
            self._note_baseline(outcome)
        broken = [o for o in outcomes if o.infrastructure]
        if broken:
            raise InfrastructureError(broken[0].error)
        failed = [o for o in outcomes if not o.ok and not o.spec.tolerate_failure]
        if failed:
            reasons = "; ".join(f"'{o.spec.name}': {o.reason}" for o in failed)
            return Verdict(
                Status.NOT_STEADY, f"not steady before the method: {reasons}", "not-steady"
            )
        await source_checks.guard_sources(state)  # credentials and TLS: exit 5 before a fault
        alerts = await alert_preconditions.check(state)  # expected alerts inactive; clocks
        return Verdict(alerts.status, alerts.reason, alerts.ended_by) if alerts else None

    def _note_baseline(self, outcome: ProbeOutcome) -> None:
        self.state.expectations.append((outcome.spec.name, outcome.ok, outcome.spec.weight))
        if outcome.sample is not None:
            self.state.baselines[outcome.spec.name] = outcome.sample.value

    # -- rollback and recovery ----------------------------------------------------------------
    async def _rollback_and_recover(self, verdict: Verdict) -> Verdict:
        if self.method:
            self.method.cancel_background()
        self._stop_watchers(keep_observe=True)  # guards and the deadline watch the method only
        self.state.set_phase("rollback")
        self.rollback_task = asyncio.create_task(self._rollback())
        try:
            complete = await self.rollback_task
        except asyncio.CancelledError:  # a second signal: incomplete if anything was left
            complete = not self.stack.pending() and self.rollback_steps_run == len(
                self.state.experiment.rollbacks
            )
        if not complete:
            return self._rollback_verdict(self._stopped(verdict))
        self._halt_before_recovery()
        if self._skips_recovery():
            return self._stopped(verdict)
        if verdict.status in (Status.COMPLETED, Status.DEVIATED, Status.ABORTED):
            verdict = await self._recovery_guarded(verdict)
        return verdict

    def _skips_recovery(self) -> bool:
        """A signal or the halt switch, in any phase: no recovery (a guard's abort or the
        deadline, in the method, still lets recovery tell whether the system came back)."""
        stopped_by = self.stop.ended_by if self.stop is not None else ""
        return self.signals > 0 or stopped_by == "halt" or stopped_by.startswith("stop-condition:")

    def _stopped(self, verdict: Verdict) -> Verdict:
        """The verdict once a stop that came after the method ended is taken into account."""
        stop = self.stop
        if stop is None or stop is verdict:
            return verdict
        codes = [EXIT_FOR_STATUS[stop.status], EXIT_FOR_STATUS[verdict.status]]
        if most_severe(codes) == EXIT_FOR_STATUS[verdict.status]:
            return verdict
        return Verdict(
            stop.status, f"{stop.reason} (before the stop: {verdict.reason})", stop.ended_by
        )

    async def _recovery_guarded(self, verdict: Verdict) -> Verdict:
        """Recovery as a task a stop cancels at once; a lost backend ends it with exit 5."""
        self.recovery_task = asyncio.create_task(self._recovery(verdict))
        try:
            return await self.recovery_task
        except asyncio.CancelledError:
            if self.stop is not None:
                return self._stopped(verdict)
            raise
        except ChaosMLError as exc:
            return Verdict(Status.FAILED, f"during recovery: {exc.message}", "error")
        except Exception as exc:
            return self._internal_error(exc)

    async def _rollback(self) -> bool:
        if self.state.options.keep_faults:
            return True
        ok = await self.stack.rollback_all()
        for index, step in enumerate(self.state.experiment.rollbacks):
            ok = await self._rollback_step(index, step) and ok
            self.rollback_steps_run += 1
        self.state.rollback_end_wall = time.time()
        return ok

    async def _rollback_step(self, index: int, step: m.ActionStep) -> bool:
        try:
            await run_action(step, f"r{index}", self.state, safety_net=True)
        except ChaosMLError as exc:
            self.state.journal.write(
                RollbackStepRan(
                    step=index, name=step.label, action=step.action, ok=False, error=exc.message
                )
            )
            return False
        self.state.journal.write(
            RollbackStepRan(step=index, name=step.label, action=step.action, ok=True, error=None)
        )
        return True

    def _rollback_verdict(self, verdict: Verdict) -> Verdict:
        if self.signals >= 2:
            reason = "a second signal skipped the rest of the rollback"
        else:
            reason = "an undo failed: " + "; ".join(self.stack.failures)
        if verdict.status == Status.FAILED and self.signals < 2 and self.stack.backend_down:
            # the backend the run lost is also why its undos failed: the tool error stays the
            # verdict (exit 5); run.end lists the pending undos for `chaosml rollback`
            return Verdict(Status.FAILED, f"{verdict.reason}; {reason}", verdict.ended_by)
        return Verdict(Status.ROLLBACK_INCOMPLETE, f"{verdict.reason}; {reason}", verdict.ended_by)

    async def _recovery(self, verdict: Verdict) -> Verdict:
        exp = self.state.experiment
        recovery = exp.recovery or (DEFAULT_RECOVERY if exp.steady_state else None)
        if recovery is None:
            return verdict
        self.state.set_phase("recovery")
        deadline = self.state.clock.monotonic() + recovery.within
        steady = await self._steady_again(recovery, deadline)
        alerts = await alerts_resolve(recovery, self.state, deadline)
        if steady and alerts:
            return verdict
        status = verdict.status if verdict.status != Status.COMPLETED else Status.DEVIATED
        reason = "no recovery: " + "; ".join(self.state.deviations[-3:])
        return Verdict(
            status,
            reason if verdict.status == Status.COMPLETED else f"{verdict.reason}; {reason}",
            verdict.ended_by if verdict.status != Status.COMPLETED else "no-recovery",
        )

    async def _steady_again(self, recovery: m.Recovery, deadline: float) -> bool:
        """Poll the steady state until it holds (for ``recovery.hold`` without a break) or the
        deadline passes; journal only the round that decided, not every poll."""
        clock = self.state.clock
        held_since: float | None = None
        broke = ""  # why the last round that failed failed: names what broke a hold
        while True:
            last = clock.monotonic() + recovery.every >= deadline
            outcomes = await self._steady_round()
            failed = [o for o in outcomes if not (o.ok or o.spec.tolerate_failure)]
            if failed:
                held_since, broke = None, f"'{failed[0].spec.name}': {failed[0].reason}"
            elif held_since is None:
                held_since = clock.monotonic()
            if held_since is not None and clock.monotonic() - held_since >= recovery.hold:
                return self._recovered(outcomes)
            if last:
                return self._not_recovered(outcomes, held_since, recovery.hold, broke)
            await clock.sleep(recovery.every)

    async def _steady_round(self) -> list[ProbeOutcome]:
        probes = self.state.experiment.steady_state
        return list(await asyncio.gather(*(run_probe(p, self.state, record=False) for p in probes)))

    def _recovered(self, outcomes: list[ProbeOutcome]) -> bool:
        for outcome in outcomes:
            record_outcome(outcome, self.state)
        self.state.expectations.extend((o.spec.name, True, o.spec.weight) for o in outcomes)
        return True

    def _not_recovered(
        self, outcomes: list[ProbeOutcome], held_since: float | None, hold: float, broke: str
    ) -> bool:
        for outcome in outcomes:
            record_outcome(outcome, self.state)
        if held_since is not None:  # it holds now, but not yet for the whole hold
            held_for = self.state.clock.monotonic() - held_since
            self.state.expectations.extend((o.spec.name, False, o.spec.weight) for o in outcomes)
            self.state.deviations.append(
                f"the steady state held for only {held_for:.1f}s of the {hold:g}s hold"
                + (f" (it broke before: {broke})" if broke else "")
            )
            return False
        failed = [o for o in outcomes if not o.ok]
        self.state.expectations.extend((o.spec.name, o.ok, o.spec.weight) for o in outcomes)
        self.state.deviations.extend(f"'{o.spec.name}' did not recover: {o.reason}" for o in failed)
        return False

    # -- watchers and signals -----------------------------------------------------------------
    def _start_watchers(self) -> None:
        state = self.state
        own = state.experiment.blast_radius.max_duration
        outer = state.options.deadline_s  # what is left of a game day's deadline
        limits = [(s, f"max_duration {s:g}s") for s in (own,) if s is not None]
        limits += [(s, f"the drill's deadline ({s:g}s left)") for s in (outer,) if s is not None]
        if limits:
            seconds, what = min(limits)
            self.watchers.append(
                asyncio.create_task(watchers.watch_deadline(seconds, what, state, self.abort))
            )
        if state.experiment.observe and state.experiment.observe.metrics:
            self.observe_task = asyncio.create_task(
                watchers.observe(state.experiment.observe, state)
            )

    def _stop_watchers(self, keep_observe: bool = False) -> None:
        for task in self.watchers:
            task.cancel()
        self.watchers.clear()
        if not keep_observe:
            if getattr(self, "observe_task", None):
                self.observe_task.cancel()
            if self.halt_watch is not None:
                self.halt_watch.cancel()

    async def _start_halt_board(self) -> None:
        """Poll every halt source; wait up to halt.FIRST_ANSWER_S for the remote ones' first
        answer, so that a halt already in force refuses the run (exit 2)."""
        self.halt_board = halt.board_for(self.state.options, self.state.experiment).start()
        waited = 0.0
        while not self.halt_board.answered() and waited < halt.FIRST_ANSWER_S:
            await asyncio.sleep(0.05)
            waited += 0.05

    def _watch_halt(self) -> None:
        """The halt switch is watched from the blast radius to the end of recovery."""
        assert self.halt_board is not None
        self.halt_watch = asyncio.create_task(
            watchers.watch_halt(self.halt_board, self.state, self.abort)
        )

    def abort(self, ended_by: str, reason: str) -> None:
        """Stop now (guard, halt, deadline): the method ends, a rollback finishes, recovery ends."""
        if self.stop is None:
            self.stop = Verdict(Status.ABORTED, reason, ended_by)
            self._journal_stop(ended_by)
        self._cancel_work()

    def _journal_stop(self, by: str) -> None:
        """``run.stop``: who asked the run to stop, in which phase, and what happens now."""
        phase = self.state.phase
        if self.signals >= 2:
            effect = STOP_EFFECT["second"] if phase == "rollback" else STOP_EFFECT["ignored"]
        else:
            effect = STOP_EFFECT.get(phase, STOP_EFFECT["before"])
        self.state.journal.write(RunStop(by=by, phase=phase, effect=effect))

    def _halt_before_recovery(self) -> None:
        """The halt switch thrown during the rollback: seen now, not one poll later."""
        active = self.halt_board.reading().active if self.halt_board else []
        if active:
            self.abort(active[0].source.by, active[0].message())

    def _cancel_work(self) -> None:
        """Cancel the phase that is running (but never the undos) and kill its commands."""
        self.state.stopping = True
        if self.work is not None and not self.work.done():
            self.work.cancel()
            self.state.ctx.cancel.cancel()  # kills the commands of this run only
        if self.recovery_task is not None and not self.recovery_task.done():
            self.recovery_task.cancel()
            self.state.ctx.cancel.cancel()

    def on_signal(self, signum: int) -> None:
        if self.finished:  # run.end is written: the outcome stands
            return
        self.signals += 1
        name = signal.Signals(signum).name
        self._journal_stop(f"signal:{name}")
        if self.signals == 1:
            self.stop = Verdict(
                Status.INTERRUPTED,
                f"interrupted by {name} during {self.state.phase}; rolled back",
                f"signal:{name}",
            )
            self._cancel_work()
        elif self.rollback_task is not None and not self.rollback_task.done():
            self.rollback_task.cancel()
            self.state.ctx.cancel.cancel()  # kills the commands the rollback is running

    # -- the end ------------------------------------------------------------------------------
    def _finish(self, verdict: Verdict) -> RunOutcome:
        self.finished = True
        self._stop_watchers()
        notify_sinks.stop_all(self.state)
        pending = [{"undo_id": e.undo_id, "undo": e.record.to_json()} for e in self.stack.pending()]
        summary = self._summary(verdict)
        start = self.state.journal.start_mono
        self.state.journal.write(
            RunEnded(
                status=verdict.status.value,
                exit_code=int(EXIT_FOR_STATUS[verdict.status]),
                reason=verdict.reason,
                ended_by=verdict.ended_by,
                pending_undos=pending,
                duration_s=round(time.monotonic() - start, 3),
                summary=summary,
            )
        )
        self.state.journal.close()
        return RunOutcome(
            verdict.status,
            verdict.reason,
            self.state.ctx.run_id,
            self.state.journal.path,
            verdict.ended_by,
            summary,
            pending,
        )

    def _summary(self, verdict: Verdict) -> dict[str, Any]:
        total = sum(w for _, _, w in self.state.expectations)
        met = sum(w for _, ok, w in self.state.expectations if ok)
        not_run = self._not_run(verdict)
        return {
            "expectations_total": len(self.state.expectations),
            "expectations_met": sum(1 for _, ok, _ in self.state.expectations if ok),
            "score": round(met / total, 4) if total and not not_run else None,
            "not_run": not_run,
            "alerts": list(self.state.alerts.values()),
            **({"notifications": self.state.notifications} if self.state.notifications else {}),
            "ml_test_score": self.state.experiment.ml_test_score,
            "classified": self.state.classified,
        }

    def _not_run(self, verdict: Verdict) -> list[str]:
        """What a stopped run (signal, halt, guard, deadline, tool error) did not get to do."""
        finished = verdict.status in (Status.COMPLETED, Status.DEVIATED) and self.stop is None
        if finished or verdict.status in (Status.REFUSED, Status.NOT_STEADY):
            return []
        if self.state.options.dry_run:
            return []
        exp = self.state.experiment
        missing = []
        if not self.method_done:  # the step that was cut short did not run either
            first = max(self.state.steps_started - 1, 0)
            missing += [f"method[{i}] {s.label}" for i, s in enumerate(exp.method) if i >= first]
        task = self.recovery_task
        recovered = task is not None and task.done() and not task.cancelled()
        if (exp.recovery or exp.steady_state) and not recovered:
            missing.append("recovery")
        return missing
