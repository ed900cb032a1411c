"""chaosml's exception tree.

ChaosMLError                 everything chaosml raises on purpose; the CLI catches it once
 +-- InputError              bad input or usage: exit 2, nothing touched
 |    +-- ValidationError    an experiment file that does not validate (carries every problem)
 |    +-- RefusedError       the blast radius refused the run
 +-- DriverError             a driver failed at what it was asked to do
 |    +-- InfrastructureError  a backend (Docker, Prometheus, proxy) is unreachable/broken: exit 5
 |    +-- ProbeError         a probe could not read its value (not the same as a failed expectation)
 +-- UndoError               an undo failed after its retries: exit 6
 +-- AbortRun                raised inside the engine to abort the method (guard, deadline, halt)

A deviation (an expectation that does not hold) is a verdict written to the journal, never an
exception.

Messages, hints and problems mask every secret loaded in this process (``chaosml.redaction``)
when the error is made: an error can be printed, logged or journaled anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chaosml import redaction


class ChaosMLError(Exception):
    """Base of every error chaosml raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        message = redaction.scrub(message)
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = redaction.scrub(hint)

    def with_next_step(self) -> str:
        """The message and, when there is one, what to do next: one line for a verdict."""
        return f"{self.message} → {self.hint}" if self.hint else self.message


class InputError(ChaosMLError):
    """Invalid input or usage (exit 2)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, with its location."""

    path: str  # key path, e.g. "method[2].fault"
    message: str
    file: str = "<string>"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    suggestion: str | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.path}:" if self.path else ""
        text = f"{where}:{key} {self.message}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ValidationError(InputError):
    """An input file that does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = [_masked(p) for p in problems]
        problems = self.problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} found"
        body = "\n".join("  " + p.render() for p in problems)
        super().__init__(f"{head}:\n{body}", hint="fix the file; nothing was run")


def _masked(problem: Problem) -> Problem:
    """``problem`` with every loaded secret masked in what it quotes."""
    return replace(
        problem,
        message=redaction.scrub(problem.message),
        suggestion=redaction.scrub(problem.suggestion),
    )


class RefusedError(InputError):
    """The blast radius refused the run before anything changed (exit 2)."""


class DriverError(ChaosMLError):
    """A driver failed at what it was asked to do."""


class InfrastructureError(DriverError):
    """A backend chaosml talks to is unreachable or broken (exit 5)."""


class ProbeError(DriverError):
    """A probe could not read a value."""


class UndoError(ChaosMLError):
    """An undo failed after its retries; a fault may still be in place (exit 6)."""


@dataclass
class AbortRun(ChaosMLError):
    """Raised inside the engine to abort the method (guard breach, deadline, halt)."""

    reason: str
    by: str  # "guard", "deadline", "halt"
    details: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.reason)
