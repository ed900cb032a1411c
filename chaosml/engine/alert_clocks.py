"""The clock offset of each alert source, measured at run start and end (issue 21).

Every ``activeAt``/``startsAt`` is mapped into chaosml's clock through the offset measured at
the start (``AlertBook.to_local``) before any time to detect or "started before the fault"
decision. Each measurement is journalled as a ``clock.offset`` event; a skew above
``WARN_SKEW_S`` is a warning naming the fix, and above ``--max-clock-skew`` a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosml.contract.connection import Connection
from chaosml.durations import parse_duration
from chaosml.engine.alert_book import SourceKey
from chaosml.engine.state import RunState
from chaosml.engine.threads import call_blocking
from chaosml.errors import ChaosMLError, InputError
from chaosml.journal import events
from chaosml.model import experiment as m

if TYPE_CHECKING:
    from chaosml.io.clock_offset import ClockOffset

WARN_SKEW_S = 2.0
NTP_FIX = "synchronise both clocks with NTP (chrony/systemd-timesyncd)"


def source_key(source: m.AlertSource) -> SourceKey:
    kind = "prometheus" if source.prometheus is not None else "alertmanager"
    return (kind, source.connection.base_url)


def alert_sources(experiment: m.Experiment) -> list[SourceKey]:
    """Every source an expected or resolving alert is read from, in order, once each."""
    return list(source_connections(experiment))


def source_connections(experiment: m.Experiment) -> dict[SourceKey, Connection]:
    """Each alert source's key and connection (the first block given for a key wins)."""
    sources = [
        step.expect_alert.source
        for step in experiment.method
        if isinstance(step, m.ExpectAlertStep)
    ]
    if experiment.recovery is not None:
        sources += [a.source for a in experiment.recovery.alerts_resolve if a.source]
    found: dict[SourceKey, Connection] = {}
    for source in sources:
        found.setdefault(source_key(source), source.connection)
    for step in experiment.method:  # expect_notification reads Alertmanager's startsAt too
        if isinstance(step, m.ExpectNotificationStep):
            conn = step.expect_notification.source.alertmanager
            found.setdefault(("alertmanager", conn.base_url), conn)
    return found


def prometheus_connections(experiment: m.Experiment) -> list[Connection]:
    """The Prometheus servers the experiment names (alert sources and prometheus probes)."""
    found = [c for (kind, _), c in source_connections(experiment).items() if kind == "prometheus"]
    probes = [*experiment.steady_state, *experiment.guards]
    probes += experiment.observe.metrics if experiment.observe else []
    found += [
        p.params for p in probes if p.kind == "prometheus" and isinstance(p.params, Connection)
    ]
    unique: dict[str, Connection] = {}
    for conn in found:
        unique.setdefault(conn.base_url, conn)
    return list(unique.values())


@dataclass(frozen=True)
class Measured:
    key: SourceKey
    offset: ClockOffset | None
    error: str | None = None


def measure_one(key: SourceKey, conn: Connection, prometheus: list[Connection]) -> ClockOffset:
    from chaosml.io import clock_offset  # local: HTTP clients, for runs that read alert sources

    kind, url = key
    if kind == "prometheus":
        return clock_offset.measure_prometheus(conn)
    feeder = next((p for p in prometheus if clock_offset.feeds(p, url)), None)
    if feeder is None:
        return clock_offset.measure_date_header(conn)
    via = clock_offset.measure_prometheus(feeder)
    method = f"startsAt is stamped by {feeder.base_url}, which feeds it: {via.method}"
    return clock_offset.ClockOffset(via.offset_s, via.uncertainty_s, method, via.rtt_s)


def _measurer(
    key: SourceKey, conn: Connection, prometheus: list[Connection]
) -> Callable[[], Measured]:
    def measure_or_error() -> Measured:
        try:
            return Measured(key, measure_one(key, conn, prometheus))
        except ChaosMLError as exc:
            return Measured(key, None, exc.message)

    return measure_or_error


async def measure(state: RunState, when: str) -> list[Measured]:
    """Measure every alert source's offset; journal each; at ``start`` keep them for mapping."""
    if when == "end" and (state.stopping or not state.alert_book.offsets):
        return []  # an interrupted run ends at once; nothing measured at the start
    prometheus = prometheus_connections(state.experiment)
    results = []
    for key, conn in source_connections(state.experiment).items():
        measurer = _measurer(key, conn, prometheus)
        done = await call_blocking(measurer, 30.0, f"clock of {key[1]}")
        if when == "start" and done.offset is not None:
            state.alert_book.offsets[key] = done.offset
        _journal(state, done, when)
        results.append(done)
    return results


def _journal(state: RunState, done: Measured, when: str) -> None:
    kind, url = done.key
    fields = done.offset.to_json() if done.offset else {"offset_s": None, "uncertainty_s": None}
    state.journal.write(
        events.ClockOffset(
            at=when, source=kind, url=url, **fields, error=done.error, warning=skew_warning(done)
        )
    )


def _skew(done: Measured, limit: float) -> str | None:
    if done.offset is None or abs(done.offset.offset_s) <= limit:
        return None
    ahead = "ahead of" if done.offset.offset_s > 0 else "behind"
    off = abs(done.offset.offset_s)
    return f"the clock of {done.key[0]} at {done.key[1]} is {off:.2f}s {ahead} chaosml's"


def skew_warning(done: Measured, limit: float = WARN_SKEW_S) -> str | None:
    skew = _skew(done, limit)
    if skew is None:
        return None
    return f"{skew} (over {limit:g}s): times to detect are corrected for it, but {NTP_FIX}"


def skew_refusal(measured: list[Measured], limit: float | None) -> str | None:
    """The refusal when ``--max-clock-skew`` is given and a source is further off."""
    if limit is None:
        return None
    over = [text for d in measured if (text := _skew(d, limit)) is not None]
    if not over:
        return None
    return f"clock skew over --max-clock-skew {limit:g}s: {'; '.join(over)}; {NTP_FIX}"


def max_skew_seconds(text: str | None) -> float | None:
    """``--max-clock-skew`` in seconds (``500ms``, ``2s`` or a number); InputError if not."""
    if text is None:
        return None
    try:
        return parse_duration(float(text) if _is_number(text) else text)
    except ValueError as exc:
        raise InputError(f"--max-clock-skew: {exc}") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
