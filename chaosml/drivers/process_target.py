"""The ``process`` target selector: local processes by pid file or command-line pattern.

``blast_radius.targets.<name>.process: {pattern: "my-exporter --port 9100"}`` (or
``{pid_file: /run/my-exporter.pid}``). ``process.kill`` with an inline ``pid_file``/``pattern``
gets one of these targets implied (named after its step, e.g. ``method[0]``), so local
processes pass the same checks as containers: ``min_matches``, ``count`` and ``max_percent``
on the matches, a seeded pick, the journal's ``target.resolved`` and the dry run's table.

Never a candidate, whatever the pattern: pid 1, chaosml's own process and its ancestors (the
shell, the CI runner, sshd…). A pattern that matches any command line (``.``, ``.*``, ``\\w``)
is refused when the file is validated. Processes carry no labels: a declared process target
needs ``require_label: null`` (the implied ones have it).
"""

from __future__ import annotations

import os
import re
from typing import Annotated

from chaosml.contract.checks import ExactlyOne, checked_by, compiled_regex
from chaosml.contract.context import DriverContext
from chaosml.contract.targets import TargetMember
from chaosml.drivers.base import TargetDriver
from chaosml.io import procfs

_ANY_LINE = ("", "x", "0", "/")  # a pattern matching one of these matches any command line


def check_pattern(pattern: str) -> None:
    """ValueError unless ``pattern`` is a valid regex narrower than "any command line"."""
    regex = compiled_regex(pattern, "'pattern' is not a valid regular expression")
    if any(regex.search(line) for line in _ANY_LINE):
        raise ValueError(
            f"'pattern' {pattern!r} matches any command line: "
            "name the process you mean (e.g. its script or binary name)"
        )


class ProcessSelector(ExactlyOne):
    pid_file: str | None = None
    pattern: Annotated[str, checked_by(check_pattern)] | None = None

    one_of = ("pid_file", "pattern")
    one_of_error = "give exactly one of pid_file or pattern"


def protected_pids() -> set[int]:
    """Never signalled: pid 1, this process and its ancestors."""
    me = os.getpid()
    return {1, me, *procfs.ancestors(me)}


def matching_pids(selector: ProcessSelector) -> list[int]:
    """Live pids named by the pid file or matching the pattern, the protected ones left out."""
    if selector.pid_file:
        found = procfs.read_pid_file(selector.pid_file)
        pids = [found] if found is not None else []
    else:
        regex = re.compile(selector.pattern or "")
        pids = [p for p in procfs.other_pids() if _matches(regex, procfs.command_line(p))]
    protected = protected_pids()
    return sorted(p for p in pids if p not in protected and procfs.alive(p))


def _matches(regex: re.Pattern[str], command_line: str) -> bool:
    return bool(command_line) and regex.search(command_line) is not None


def member(pid: int) -> TargetMember:
    """A process as a target member: its id is ``pid:start-time`` (a reused pid differs)."""
    shown = procfs.command_line(pid)
    shown = shown if len(shown) <= 50 else shown[:47] + "..."
    return TargetMember(f"{pid}:{procfs.start_time(pid)}", f"pid {pid} ({shown})")


def member_pid(target_member: TargetMember) -> int | None:
    """The member's pid if that same process (same start time) still runs."""
    pid_text, _, started = target_member.id.partition(":")
    pid = int(pid_text)
    same = procfs.alive(pid) and procfs.start_time(pid) == started
    return pid if same and pid not in protected_pids() else None


class ProcessTarget(TargetDriver[ProcessSelector]):
    """Local processes by pid file or command-line pattern (never pid 1, chaosml or its
    ancestors)."""

    kind = "process"
    summary = "local processes by pid file or command-line pattern"

    def candidates(self, params: ProcessSelector, ctx: DriverContext) -> list[TargetMember]:
        return [member(pid) for pid in matching_pids(params)]
