"""An error raised out of an experiment means the same exit code on the command line and in a
game day (one mapping, ``exit_codes.exit_code_for``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.cli.errors import guarded
from chaosml.errors import (
    AbortRun,
    ChaosMLError,
    DriverError,
    InfrastructureError,
    InputError,
    UndoError,
)
from chaosml.exit_codes import ExitCode
from chaosml.gameday.plan import load_plan
from chaosml.gameday.runner import DrillOptions, DrillRunner, ExperimentRequest
from tests.unit.gameday.test_runner import FakeClock, keys_of, write_plan

ERRORS: list[tuple[ChaosMLError, ExitCode]] = [
    (InputError("bad input"), ExitCode.INVALID),
    (UndoError("undo failed"), ExitCode.ROLLBACK_INCOMPLETE),
    (AbortRun("guard breached", "guard"), ExitCode.ABORTED),
    (InfrastructureError("cannot reach http://127.0.0.1:9"), ExitCode.TOOL_ERROR),
    (DriverError("driver broke"), ExitCode.TOOL_ERROR),
]


def _on_the_command_line(error: ChaosMLError) -> int:
    def body() -> int:
        raise error

    return guarded(body, debug=False)


def _in_a_game_day(error: ChaosMLError, tmp_path: Path) -> int:
    def engine(request: ExperimentRequest) -> ExitCode:
        raise error

    clock = FakeClock()
    options = DrillOptions(
        environment="staging", journal_dir=tmp_path / "j", lock_dir=tmp_path / "locks"
    )
    runner = DrillRunner(
        load_plan(write_plan(tmp_path, ["one"])), options, engine, keys_of, clock=clock
    )
    code = runner.run().outcomes[0].exit_code
    assert code is not None
    return int(code)


@pytest.mark.parametrize(("error", "code"), ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
def test_an_error_means_the_same_exit_code_everywhere(
    error: ChaosMLError, code: ExitCode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _on_the_command_line(error) == code
    assert _in_a_game_day(error, tmp_path) == code
    assert f"{type(error).__name__}: {error.message}" in capsys.readouterr().err
