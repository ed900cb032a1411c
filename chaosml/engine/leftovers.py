"""Commands a killed run left running: found by the ``command.started`` events of its journal
(process group id + start time, written before the command started) and killed as a group, so
that none of them can finish after ``chaosml rollback`` and apply its fault again."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterable
from dataclasses import dataclass

from chaosml.io import procfs
from chaosml.journal.base import JournalEvent
from chaosml.journal.events import CommandStarted

KILL_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class CommandGroup:
    pgid: int
    start_time: str  # of its leader, in clock ticks since boot ("" when unknown)
    command: str


def started_groups(events: Iterable[JournalEvent]) -> list[CommandGroup]:
    return [
        CommandGroup(e.pgid, e.start_time, e.command)
        for e in events
        if isinstance(e, CommandStarted)
    ]


def members(pgid: int) -> list[int]:
    """Live processes in the process group ``pgid``."""
    found = []
    for pid in procfs.other_pids():
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pgid and procfs.alive(pid):
                found.append(pid)
    return found


def still_running(group: CommandGroup) -> bool:
    """The journaled group still has live members, and it is the same group: its leader, when
    still there, started when the journal says (a reused pid is some other process)."""
    if group.pgid <= 1 or group.pgid == os.getpgrp():
        return False
    leader_start = procfs.start_time(group.pgid)
    if leader_start and procfs.alive(group.pgid) and leader_start != group.start_time:
        return False
    return bool(members(group.pgid))


def kill_group(group: CommandGroup) -> bool:
    """SIGKILL the whole group and wait until it is gone; whether it is."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group.pgid, signal.SIGKILL)
    return procfs.wait_until(lambda: not members(group.pgid), KILL_WAIT_SECONDS)


def kill_leftovers(groups: Iterable[CommandGroup]) -> list[tuple[CommandGroup, bool]]:
    """Kill every group still running; (group, gone) for each one that was."""
    return [(group, kill_group(group)) for group in groups if still_running(group)]
