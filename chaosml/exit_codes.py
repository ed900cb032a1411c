"""The exit codes every chaosml command uses (DESIGN.md §3)."""

from enum import IntEnum

from chaosml.errors import AbortRun, ChaosMLError, InputError, UndoError


class ExitCode(IntEnum):
    """What a run's exit code tells the caller.

    OK                   the hypothesis held, every expected alert fired, the system recovered
    DEVIATED             a probe or expectation failed during or after, an alert did not fire
    INVALID              invalid input, bad usage, or refused by the blast radius; nothing touched
    NOT_STEADY           not steady before the method; nothing was injected
    ABORTED              aborted by a guard, the deadline or the halt switch; rolled back
    TOOL_ERROR           tool or infrastructure error (Docker, Prometheus, proxy); rolled back
    ROLLBACK_INCOMPLETE  an undo failed and a fault may still be in place; needs a person
    INTERRUPTED          SIGINT/SIGTERM; rolled back
    """

    OK = 0
    DEVIATED = 1
    INVALID = 2
    NOT_STEADY = 3
    ABORTED = 4
    TOOL_ERROR = 5
    ROLLBACK_INCOMPLETE = 6
    INTERRUPTED = 130


# Most severe first: a drill's exit code is the most severe of its experiments'.
SEVERITY_ORDER: tuple[ExitCode, ...] = (
    ExitCode.ROLLBACK_INCOMPLETE,
    ExitCode.TOOL_ERROR,
    ExitCode.INTERRUPTED,
    ExitCode.ABORTED,
    ExitCode.DEVIATED,
    ExitCode.NOT_STEADY,
    ExitCode.INVALID,
    ExitCode.OK,
)


def most_severe(codes: list[ExitCode]) -> ExitCode:
    """The most severe exit code of several runs (OK for none)."""
    for code in SEVERITY_ORDER:
        if code in codes:
            return code
    return ExitCode.OK


def exit_code_for(exc: ChaosMLError) -> ExitCode:
    """The exit code of a chaosml error raised out of a command or an experiment: the one
    mapping the CLI and the game day both use."""
    if isinstance(exc, InputError):
        return ExitCode.INVALID
    if isinstance(exc, UndoError):
        return ExitCode.ROLLBACK_INCOMPLETE
    if isinstance(exc, AbortRun):
        return ExitCode.ABORTED
    return ExitCode.TOOL_ERROR
