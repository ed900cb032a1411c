"""How a run ended: its status, and the exit code each status maps to (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from chaosml.exit_codes import ExitCode


class Status(StrEnum):
    COMPLETED = "completed"
    DEVIATED = "deviated"
    NOT_STEADY = "not-steady"
    ABORTED = "aborted"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    REFUSED = "refused"
    ROLLBACK_INCOMPLETE = "rollback-incomplete"


EXIT_FOR_STATUS: dict[Status, ExitCode] = {
    Status.COMPLETED: ExitCode.OK,
    Status.DEVIATED: ExitCode.DEVIATED,
    Status.REFUSED: ExitCode.INVALID,
    Status.NOT_STEADY: ExitCode.NOT_STEADY,
    Status.ABORTED: ExitCode.ABORTED,
    Status.FAILED: ExitCode.TOOL_ERROR,
    Status.ROLLBACK_INCOMPLETE: ExitCode.ROLLBACK_INCOMPLETE,
    Status.INTERRUPTED: ExitCode.INTERRUPTED,
}


@dataclass
class RunOutcome:
    status: Status
    reason: str
    run_id: str
    journal_path: Path | None
    ended_by: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    pending_undos: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_FOR_STATUS[self.status]
