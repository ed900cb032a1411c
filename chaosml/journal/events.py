"""Every kind of journal event, one frozen class each (docs/journal.md is generated from here).

To add an event: write a class here with ``event: Literal["kind.name"] = "kind.name"`` and its
fields (each with a default unless listed in ``required``, and a docstring line saying when it
is written); the writer, the reader, ``chaosml schema --journal`` and docs/journal.md pick it
up. Field types are checked when a journal is read back: ``int``/``float`` never accept
``true``/``false`` and a number never stands for a string.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)

from chaosml.journal.base import FORMAT, JournalEvent, Part

Int = StrictInt
Num = StrictFloat  # an int is accepted (and read as a float); true/false never
Json = dict[str, Any]

EXPECTATION_PHASES = ("steady-state-before", "method", "recovery")


class TargetMember(Part):
    id: StrictStr | None = None
    name: StrictStr | None = None


class TargetJson(Part):
    """A blast-radius target after selection."""

    name: StrictStr = ""
    kind: StrictStr = ""
    matched: Int = 0
    members: list[TargetMember] | None = None


class UndoJson(Part):
    """How to undo a fault: the driver kind, its data and a description."""

    kind: StrictStr
    data: Json
    description: StrictStr


class RunStarted(JournalEvent):
    """The first event of a run; ``journal_format`` says which format the rest is in.

    Fields: `version`, `title`, `tags`, `experiment_path`, `experiment` (the effective
    experiment: substituted, secrets shown `***`), `command_line` (argv, secrets redacted),
    `environment`, `seed`, `pid`, `pid_start` (the runner's start time in clock ticks since
    boot: with `pid` and `host` it tells `chaosml rollback` whether the run is still alive),
    `host`, `user`, `dry_run`
    """

    event: Literal["run.start"] = "run.start"
    journal_format: Int = FORMAT
    version: StrictStr = ""  # chaosml's version
    title: StrictStr = ""
    tags: list[StrictStr] = Field(default_factory=list)
    experiment_path: StrictStr | None = None
    experiment: Json | None = None  # the effective experiment, secrets shown ***
    command_line: list[StrictStr] = Field(default_factory=list)
    environment: StrictStr | None = None
    seed: Int | None = None
    pid: Int | None = None
    pid_start: StrictStr | None = None  # the runner's start time, clock ticks since boot
    host: StrictStr | None = None
    user: StrictStr | None = None
    dry_run: StrictBool = False
    kind: StrictStr | None = None  # "gameday" for a drill's own record
    required = ("run_id",)

    def model_post_init(self, context: Any) -> None:
        self.__pydantic_fields_set__.add("journal_format")  # always written


class PhaseEntered(JournalEvent):
    """The run entered a phase: blast-radius, steady-state-before, method, rollback, recovery.

    Fields: `name`: `blast-radius`, `steady-state-before`, `method`, `rollback`, `recovery`
    """

    event: Literal["phase"] = "phase"
    name: StrictStr = ""


class ProxyStarted(JournalEvent):
    """An ephemeral proxy of the experiment started.

    Fields: `name`, `listen`, `upstream`, `protocol`, `api` — an ephemeral proxy of the
    experiment
    """

    event: Literal["proxy.started"] = "proxy.started"
    name: StrictStr | None = None
    listen: StrictStr | None = None
    upstream: StrictStr | None = None
    protocol: StrictStr | None = None
    api: StrictStr | None = None


class TargetResolved(JournalEvent):
    """A target of the blast radius, with the members chosen.

    Fields: `target` (`name`, `kind`, `matched`, `members: [{id, name}]`), `seed`,
    `require_label`
    """

    event: Literal["target.resolved"] = "target.resolved"
    target: TargetJson = Field(default_factory=TargetJson)
    seed: Int | None = None
    require_label: StrictStr | None = None


class ProbeResult(JournalEvent):
    """An expectation checked, or a probe that could not read (``error``).

    Fields: `phase`, `name`, `kind` (probe driver kind, or `expect_alert`, `alerts_resolve`),
    `step` (method index or null), `ok`, `tolerated`, `value` (`{value, status?, exit_code?,
    text?, details?}`), `expect`, `reason` (why it failed), `error` (probe could not read),
    `weight`, `duration_s`
    """

    event: Literal["probe.result"] = "probe.result"
    phase: StrictStr = ""
    name: StrictStr = ""
    kind: StrictStr = ""  # the probe driver kind, or expect_alert, alerts_resolve
    step: Int | None = None  # the method index, or null
    ok: StrictBool = False
    tolerated: StrictBool = False  # null reads as false
    value: Any = None  # {value, status?, exit_code?, text?, details?}
    expect: Any = None
    reason: StrictStr | None = None  # why it failed
    error: StrictStr | None = None  # the probe could not read
    weight: Num = 1.0  # null reads as 1
    duration_s: Num = 0.0  # null reads as 0

    @field_validator("tolerated", "weight", "duration_s", mode="before")
    @classmethod
    def _null_is_the_default(cls, value: Any, info: ValidationInfo) -> Any:
        return cls.model_fields[str(info.field_name)].default if value is None else value

    @property
    def is_expectation(self) -> bool:
        return self.phase in EXPECTATION_PHASES

    @property
    def at(self) -> float:
        """When it was checked: mono seconds."""
        return self.mono or 0.0


class ObserveSample(JournalEvent):
    """One sample of an observed metric (``value`` null and ``error`` set: the read failed).

    Fields: `name`, `phase`, `value` (number or null), `error` (when the read failed)
    """

    event: Literal["observe.sample"] = "observe.sample"
    name: StrictStr = ""
    phase: StrictStr | None = None
    value: Any = None  # a number, or null
    error: StrictStr | None = None


class FaultUndoRegistered(JournalEvent):
    """How to undo a fault, written before the fault is applied (write-ahead). A secret in
    ``undo.data`` is written ``${secret:name}``, never in clear.

    Fields: `undo_id` (`<run_id>.u1`, `<run_id>.u2`, …: unique across the runs of a file),
    `step`, `fault` (kind), `name`, `target`, `undo` (`{kind, data, description}`), `secrets`
    (only when the undo needs one: `{name: "${env:VAR}" or null}`) — written *before* the fault
    is applied. A secret in `undo.data` is written `${secret:name}` (and, in such a record, a
    literal `$` as `$$`), never in clear; `undo.description` shows it `***`
    """

    event: Literal["fault.undo_registered"] = "fault.undo_registered"
    undo_id: StrictStr  # <run_id>.u1, … (u1, … before journal format 2)
    step: Int | None = None
    fault: StrictStr = ""
    name: StrictStr | None = None
    target: StrictStr | None = None
    undo: UndoJson
    secrets: dict[str, StrictStr | None] | None = None  # {name: "${env:VAR}" or null}
    required = ("undo_id", "undo")


class CommandStarted(JournalEvent):
    """A command's process group, written before the command starts, so that ``chaosml
    rollback`` can kill it if the runner dies while it runs.

    Fields: `pgid` (the command's process group, = its pid), `start_time` (the leader's start
    time, clock ticks since boot), `command` (redacted) — written before the command starts
    """

    event: Literal["command.started"] = "command.started"
    pgid: Int
    start_time: StrictStr  # the leader's start time, clock ticks since boot
    command: StrictStr = ""
    required = ("pgid", "start_time")


class CommandKilled(JournalEvent):
    """``chaosml rollback`` killed a command the run left running.

    Fields: `pgid`, `command`, `gone` — written by `chaosml rollback` when it killed a command
    the run left running
    """

    event: Literal["command.killed"] = "command.killed"
    pgid: Int | None = None
    command: StrictStr | None = None
    gone: StrictBool | None = None


class WatchdogStarted(JournalEvent):
    """The watchdog that rolls the run back if its runner dies is up (before the first fault).

    Fields: `pid`, `pid_start`, `ready_s` (how long the run waited for it) — before the first
    fault ([rollback.md](rollback.md#the-watchdog))
    """

    event: Literal["watchdog.started"] = "watchdog.started"
    pid: Int = 0
    pid_start: StrictStr = ""
    ready_s: Num | None = None


class WatchdogOff(JournalEvent):
    """The run has no watchdog (``--no-watchdog``).

    Fields: `reason` (`--no-watchdog`)
    """

    event: Literal["watchdog.off"] = "watchdog.off"
    reason: StrictStr | None = None


class WatchdogFailed(JournalEvent):
    """The watchdog could not start; the run went on without it.

    Fields: `error` — the watchdog could not start; the run went on without it
    """

    event: Literal["watchdog.failed"] = "watchdog.failed"
    error: StrictStr | None = None


class JournalTorn(JournalEvent):
    """``chaosml rollback`` cut off a torn last line.

    Fields: `offset`, `bytes` — written by `chaosml rollback` when it cut off a torn last line
    """

    event: Literal["journal.torn"] = "journal.torn"
    offset: Int | None = None
    bytes: Int | None = None


class FaultApplied(JournalEvent):
    """A fault is in place (``undo_id`` null: a fault with no undo).

    Fields: `undo_id` (null for faults with no undo), `step`, `fault`, `name`, `target`,
    `description`, `duration` (s or null), `background`
    """

    event: Literal["fault.applied"] = "fault.applied"
    undo_id: StrictStr | None = None
    step: Int | None = None
    fault: StrictStr = ""
    name: StrictStr | None = None
    target: StrictStr | None = None
    description: StrictStr | None = None
    duration: Num | None = None  # seconds, or null
    background: StrictBool | None = None


class FaultEvidence(JournalEvent):
    """What a fault did: ``effect`` false fails the run unless the step allows it.

    Fields: `undo_id`, `step`, `fault`, `when` (`applied`: observed after apply; `undo`: read
    before undo), `effect` (true/false; null: unknown), `summary`, `counters` — `effect: false`
    fails the run (exit 5, `ended_by: no-effect`) unless the step says `allow_no_effect: true`
    """

    event: Literal["fault.evidence"] = "fault.evidence"
    undo_id: StrictStr | None = None
    step: Int | None = None
    fault: StrictStr | None = None
    when: StrictStr | None = None  # applied: observed after apply; undo: read before undo
    effect: StrictBool | None = None  # null: unknown
    summary: StrictStr | None = None
    counters: Json | None = None


class FaultApplyOverran(JournalEvent):
    """Before an undo whose ``apply()`` the engine stopped waiting for (timeout or abort).

    Fields: `undo_id`, `what`, `finished`, `outcome` (`applied`, `failed`, `still running`),
    `overran_s` (past the step's timeout), `waited_s` — before an undo whose `apply()` the
    engine stopped waiting for (timeout or abort): the undo ran only after it ended; `finished:
    false` (still running after the undo timeout) makes that undo's `fault.reverted` `ok:
    false` (it stays pending, the run ends 6)
    """

    event: Literal["fault.apply_overran"] = "fault.apply_overran"
    undo_id: StrictStr
    what: StrictStr | None = None
    finished: StrictBool
    outcome: StrictStr | None = None  # applied, failed, still running
    overran_s: Num | None = None
    waited_s: Num | None = None
    required = ("undo_id", "finished")


class FaultReverted(JournalEvent):
    """An undo ran (``ok`` false: it failed and stays pending).

    Fields: `undo_id`, `ok`, `by` (`duration`, `rollback`, `rollback-command`, `watchdog`,
    `reap`), `attempts`, `error`
    """

    event: Literal["fault.reverted"] = "fault.reverted"
    undo_id: StrictStr
    ok: StrictBool
    by: StrictStr | None = None  # duration, rollback, rollback-command, watchdog, reap
    attempts: Int | None = None
    error: StrictStr | None = None
    description: StrictStr | None = None
    required = ("undo_id", "ok")


class AlertFired(JournalEvent):
    """An expected alert fired (see docs/alerts.md for the clocks).

    Fields: `name`, `labels`, `state`, `source`, `active_at` (Unix time on chaosml's clock: the
    alert's own `activeAt`/`startsAt` minus the source's clock offset), `source_active_at` (as
    the source stamped it), `fault_applied_at` (Unix time of the latest `fault.applied` before
    it), `time_to_detect_s` (never negative; `null` when not proven),
    `time_to_detect_uncertainty_s`, `clock_offset_s`, `proven`, `not_proven_why`, `not_counted`
    (other matching instances with `why`), `waited_s` — see [alerts.md](alerts.md)
    """

    event: Literal["alert.fired"] = "alert.fired"
    name: StrictStr = ""
    labels: Json | None = None
    state: Any = None
    source: Any = None
    active_at: Num | None = None  # Unix time on chaosml's clock
    source_active_at: Num | None = None  # as the source stamped it
    fired_at: Num | None = None  # chaosml's clock: when it turned firing (Prometheus: + for:)
    fault_applied_at: Num | None = None
    time_to_detect_s: Num | None = None  # never negative; null when not proven
    time_to_detect_uncertainty_s: Num | None = None
    clock_offset_s: Num | None = None
    proven: StrictBool | None = None
    not_proven_why: StrictStr | None = None
    not_counted: list[Json] | None = None  # other matching instances, with why
    waited_s: Num | None = None


class AlertResolved(JournalEvent):
    """An alert that fired is inactive again.

    Fields: `name`, `resolved_at` (Unix time first seen inactive), `time_to_resolve_s` (from
    the end of the rollback), `waited_s`, `not_waited_on` (instances active before the run's
    first fault, with `why`)
    """

    event: Literal["alert.resolved"] = "alert.resolved"
    name: StrictStr = ""
    resolved_at: Num | None = None  # Unix time first seen inactive
    time_to_resolve_s: Num | None = None  # from the end of the rollback
    waited_s: Num | None = None
    not_waited_on: list[Json] | None = None


class ClockOffset(JournalEvent):
    """An alert source's clock measured against chaosml's (at the start and at the end).

    Fields: `at` (`start`/`end`), `source` (`prometheus`/`alertmanager`), `url`, `offset_s`
    (source clock minus chaosml's), `uncertainty_s`, `method`, `rtt_s`, `error`, `warning` (skew
    over 2 s) — see [alerts.md](alerts.md)
    """

    event: Literal["clock.offset"] = "clock.offset"
    at: StrictStr | None = None  # start, end
    source: StrictStr | None = None  # prometheus, alertmanager
    url: StrictStr | None = None
    offset_s: Num | None = None  # the source's clock minus chaosml's
    uncertainty_s: Num | None = None
    method: StrictStr | None = None
    rtt_s: Num | None = None
    error: StrictStr | None = None
    warning: StrictStr | None = None  # skew over 2 s


class GuardBreached(JournalEvent):
    """A guard's threshold was crossed (or its probe failed: guards fail closed).

    Fields: `name`, `value`, `expect` (the threshold), `reason`, `error` (set when the guard's
    probe failed: guards fail closed)
    """

    event: Literal["guard.breach"] = "guard.breach"
    name: StrictStr = ""
    value: Any = None
    expect: Any = None
    reason: StrictStr | None = None
    error: StrictStr | None = None
    phase: StrictStr | None = None


class RollbackStepRan(JournalEvent):
    """A step of the experiment's ``rollback:`` ran.

    Fields: `step`, `name`, `action` (kind), `ok`, `error`
    """

    event: Literal["rollback.step"] = "rollback.step"
    step: Int | None = None
    name: StrictStr | None = None
    action: StrictStr = ""
    ok: StrictBool = False
    error: StrictStr | None = None


class RunStop(JournalEvent):
    """Who asked the run to stop, in which phase, and what happens now."""

    event: Literal["run.stop"] = "run.stop"
    by: StrictStr | None = None
    phase: StrictStr | None = None
    effect: StrictStr | None = None


class RunEnded(JournalEvent):
    """The last event of a run; written by the watchdog or ``chaosml reap`` (with
    ``runner_gone_at``, ``undone_after_s``, ``undone``, ``closed_by_pid``) when the runner died.

    Fields: `status`, `exit_code`, `reason`, `ended_by`, `pending_undos` (`[{undo_id, undo}]`),
    `duration_s`, `summary`; written by the watchdog or `chaosml reap` when the runner died:
    also `runner_gone_at` (Unix time), `undone_after_s`, `undone` (undo ids), `closed_by_pid`
    """

    event: Literal["run.end"] = "run.end"
    status: StrictStr
    exit_code: Int | None = None
    reason: StrictStr | None = None
    ended_by: StrictStr | None = None
    pending_undos: list[Json] = Field(default_factory=list)  # [{undo_id, undo}]
    duration_s: Num | None = None
    summary: Json = Field(default_factory=dict)  # expectations, score, alerts, ml_test_score
    runner_gone_at: Num | None = None
    undone_after_s: Num | None = None
    undone: list[StrictStr] | None = None
    closed_by_pid: Int | None = None
    required = ("status",)

    @field_validator("summary")
    @classmethod
    def _alerts_are_objects(cls, summary: Json) -> Json:
        alerts = summary.get("alerts") or []
        if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
            raise ValueError("'alerts' should be a list of objects")
        return summary


# -- the silent-failure matrix and the sensitivity search (issue 14) -----------------------------
class ImpactResult(JournalEvent):
    """The ``impact:`` probes read when the method ends, faults still in place: was there harm.

    Fields: `harm`, `probes` (`[{name, ok, reason}]`), `unreadable` (probe names)
    """

    event: Literal["impact.result"] = "impact.result"
    harm: StrictBool = False
    probes: list[Json] = Field(default_factory=list)
    unreadable: list[StrictStr] = Field(default_factory=list)


class AlertClassified(JournalEvent):
    """One alert's cell of the silent-failure matrix in this run (docs/silent-failures.md).

    Fields: `alert`, `cell` (caught, silent failure, noisy alert, benign), `harm`, `fired`,
    `expected` (fire: expect_alert; quiet: expect_no_alert; none), `ml_test_score`
    """

    event: Literal["alert.classified"] = "alert.classified"
    alert: StrictStr
    cell: StrictStr
    harm: StrictBool | None = None
    fired: StrictBool | None = None
    expected: StrictStr | None = None
    ml_test_score: list[StrictStr] = Field(default_factory=list)
    required = ("alert", "cell")


class SensitivityStarted(JournalEvent):
    """A sensitivity search began (its journal's ``run_id`` is the search id); the fields of
    the experiment's ``sensitivity:`` section follow (docs/sensitivity.md).

    Fields: `search_id`, `title`, `experiment_path`, `tags`, and `step`, `param`, `low`, `high`,
    `scale`, `alert`, `trials_per_point`, `max_trials`, `max_time`, `tolerance`, `settle`
    """

    event: Literal["sensitivity.start"] = "sensitivity.start"
    search_id: StrictStr
    title: StrictStr | None = None
    experiment_path: StrictStr | None = None
    tags: list[StrictStr] = Field(default_factory=list)
    required = ("search_id",)


class SensitivityTrial(JournalEvent):
    """One trial of a search: a complete run at one value of the searched parameter.

    Fields: `search_id`, `index`, `value`, `fired`, `status`, `exit_code`, `trial_run_id`,
    `journal` (the trial's own journal), `time_to_detect_s`, `duration_s`, `reason`,
    `classified` (the trial's matrix cells)
    """

    event: Literal["sensitivity.trial"] = "sensitivity.trial"
    search_id: StrictStr
    index: Int
    value: Num
    fired: StrictBool
    status: StrictStr | None = None
    exit_code: Int | None = None
    trial_run_id: StrictStr | None = None
    journal: StrictStr | None = None
    time_to_detect_s: Num | None = None
    duration_s: Num | None = None
    reason: StrictStr | None = None
    classified: list[Json] = Field(default_factory=list)
    required = ("search_id", "index", "value", "fired")


class SensitivityResult(JournalEvent):
    """The search's answer, always written (also when it was stopped); the drill history
    records it (docs/history.md).

    Fields: `search_id`, `title`, `alert`, `param`, `scale`, `low_fires` (smallest value that
    fired), `high_silent` (largest that stayed silent), `estimate`, `uncertainty`, `trials`,
    `outcome` (found, fires-at-low, not-detected, budget, stopped), `exit_code`, `message`,
    `duration_s`, `started_at` (Unix time), `ml_test_score`
    """

    event: Literal["sensitivity.result"] = "sensitivity.result"
    search_id: StrictStr
    title: StrictStr | None = None
    alert: StrictStr | None = None
    param: StrictStr | None = None
    scale: StrictStr | None = None
    low_fires: Num | None = None
    high_silent: Num | None = None
    estimate: Num | None = None
    uncertainty: Num | None = None
    trials: Int | None = None
    outcome: StrictStr | None = None
    exit_code: Int | None = None
    message: StrictStr | None = None
    duration_s: Num | None = None
    started_at: Num | None = None
    ml_test_score: list[StrictStr] = Field(default_factory=list)
    required = ("search_id",)


# -- notifications: from fired to paged (issue 19, docs/notifications.md) -------------------------
class NotifySinkStarted(JournalEvent):
    """chaosml's webhook sink for ``expect_notification`` listens (before any fault).

    Fields: `listen` (as written), `address` (where it listens), `max_bytes` (the body limit)
    """

    event: Literal["notify.sink_started"] = "notify.sink_started"
    listen: StrictStr
    address: StrictStr | None = None
    max_bytes: Int | None = None
    required = ("listen",)


class NotifySinkStopped(JournalEvent):
    """The webhook sink stopped (before ``run.end``, in every ending).

    Fields: `listen`, `notifications` (how many it received)
    """

    event: Literal["notify.sink_stopped"] = "notify.sink_stopped"
    listen: StrictStr
    notifications: Int | None = None
    required = ("listen",)


class NotifySinkRejected(JournalEvent):
    """The sink refused a request (too large, no length, not webhook format 4, wrong method).

    Fields: `listen`, `status` (the HTTP status answered), `reason`
    """

    event: Literal["notify.sink_rejected"] = "notify.sink_rejected"
    listen: StrictStr
    status: Int | None = None
    reason: StrictStr | None = None
    required = ("listen",)


class NotificationReceived(JournalEvent):
    """Alertmanager posted a notification to the sink (webhook format 4; secrets redacted).

    Fields: `listen`, `receiver`, `status`, `group_key`, `group_labels`, `external_url`, `path`,
    `received_at` (Unix time), `alerts` (`[{status, labels, annotations, starts_at, fingerprint}]`)
    """

    event: Literal["notification.received"] = "notification.received"
    listen: StrictStr | None = None
    receiver: StrictStr | None = None
    status: StrictStr | None = None
    group_key: StrictStr | None = None
    group_labels: dict[str, StrictStr] = Field(default_factory=dict)
    external_url: StrictStr | None = None
    path: StrictStr | None = None
    received_at: Num | None = None
    alerts: list[Json] = Field(default_factory=list)


class NotificationResult(JournalEvent):
    """An ``expect_notification`` step's verdict, with time to notify beside time to detect.

    Fields: `alert`, `receiver`, `notified`, `time_to_notify_s`, `delivery_observed` (false:
    Alertmanager's routing only), `reason` (why not, in one line), `step`, `mode` (sink or
    alertmanager), `listen`, `fault_applied_at`, `notified_at`, `alert_seen`, `time_to_detect_s`,
    `delivery`, `waited_s`
    """

    event: Literal["notification.result"] = "notification.result"
    alert: StrictStr
    receiver: StrictStr | None = None
    notified: StrictBool
    time_to_notify_s: Num | None = None
    delivery_observed: StrictBool | None = None
    reason: StrictStr | None = None
    step: Int | None = None
    mode: StrictStr | None = None
    listen: StrictStr | None = None
    fault_applied_at: Num | None = None
    notified_at: Num | None = None
    alert_seen: Json | None = None
    time_to_detect_s: Num | None = None
    delivery: StrictStr | None = None
    waited_s: Num | None = None
    required = ("alert", "notified")


# -- monitoring sources (issue 24, docs/monitoring-sources.md) ------------------------------------
class SourceWarning(JournalEvent):
    """A monitoring source is reached in a way a person must know about (``tls:
    insecure_skip_verify: true``); shown in the run and in every report.

    Fields: `url`, `warning`
    """

    event: Literal["source.warning"] = "source.warning"
    url: StrictStr | None = None
    warning: StrictStr | None = None


# -- halts that reach every run, and global stop conditions (issue 22, docs/safety.md) ------------
class HaltActive(JournalEvent):
    """A halt in force stopped the run: which lever, where, who pulled it and why.

    Fields: `by` (halt, or stop-condition:NAME), `scope` (user, machine, team/cluster URL,
    stop-condition), `source` (the file, URL or condition), `reason`, `user`, `host`, `at` (UTC)
    """

    event: Literal["halt.active"] = "halt.active"
    by: StrictStr | None = None
    scope: StrictStr | None = None
    source: StrictStr | None = None
    reason: StrictStr | None = None
    user: StrictStr | None = None
    host: StrictStr | None = None
    at: StrictStr | None = None


class HaltUnreachable(JournalEvent):
    """A configured halt source (or stop condition) could not be read; with the policy
    ``abort`` (the default) the run stops, with ``warn`` it goes on.

    Fields: `scope`, `source`, `error`, `policy` (abort or warn)
    """

    event: Literal["halt.unreachable"] = "halt.unreachable"
    scope: StrictStr | None = None
    source: StrictStr | None = None
    error: StrictStr | None = None
    policy: StrictStr | None = None
