"""The drill runner with a scripted engine: ordering, stopping, exit codes, summary."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from chaosml.errors import InfrastructureError, RefusedError, ValidationError
from chaosml.exit_codes import ExitCode
from chaosml.gameday.plan import load_plan
from chaosml.gameday.runner import DrillOptions, DrillRunner, ExperimentRequest
from chaosml.gameday.summary import render_summary

DATA = Path(__file__).parents[1] / "reporting" / "data"
JOURNAL_OF = {"ok": "passed", "deviates": "deviated", "refused": "refused"}
CODE_OF = {"ok": 0, "deviates": 1, "refused": 2, "aborted": 4, "broken": 6}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class ScriptedEngine:
    """Plays the engine: the experiment file's stem says how it ends."""

    def __init__(self, clock: FakeClock, takes: float = 1.0) -> None:
        self.clock = clock
        self.takes = takes
        self.calls: list[ExperimentRequest] = []

    def __call__(self, request: ExperimentRequest) -> ExitCode:
        self.calls.append(request)
        self.clock.now += self.takes
        outcome = request.path.stem
        if outcome == "infra":
            raise InfrastructureError("cannot reach http://127.0.0.1:9")
        if outcome in JOURNAL_OF:
            shutil.copy(DATA / f"{JOURNAL_OF[outcome]}.jsonl", request.journal)
        return ExitCode(CODE_OF.get(outcome, 0))


def keys_of(path: Path, variables: dict[str, str]) -> tuple[str, list[str]]:
    return f"title of {path.stem}", [f"experiment:{path}"]


def write_plan(tmp_path: Path, names: list[str], extra: str = "") -> Path:
    for name in names:
        (tmp_path / f"{name}.yaml").write_text("version: 1\n")
    entries = "".join(f"  - path: {n}.yaml\n    vars: {{n: 1}}\n" for n in names)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"version: 1\ntitle: Weekly drill\n{extra}experiments:\n{entries}")
    return plan


def drill(tmp_path: Path, names: list[str], extra: str = "", env: str | None = "staging", **kw):  # type: ignore[no-untyped-def]
    clock = FakeClock()
    engine = ScriptedEngine(clock)
    options = DrillOptions(
        environment=env,
        overrides={"x": "cli"},
        journal_dir=tmp_path / "journals",
        lock_dir=tmp_path / "locks",
        drill_id="gameday-test",
    )
    runner = DrillRunner(
        load_plan(write_plan(tmp_path, names, extra)),
        options,
        engine,
        keys_of,
        clock=clock,
        sleep=clock.sleep,
        **kw,
    )
    return runner.run(), engine, clock


def test_three_experiments_in_order_most_severe_wins(tmp_path: Path) -> None:
    result, engine, _ = drill(tmp_path, ["ok", "deviates", "refused"])
    assert [r.path.stem for r in engine.calls] == ["ok", "deviates", "refused"]
    assert [o.status for o in result.outcomes] == ["completed", "deviated", "refused"]
    assert result.exit_code == ExitCode.DEVIATED  # 1 is more severe than 2 by the table
    assert engine.calls[0].vars == {"n": "1", "x": "cli"}
    assert engine.calls[1].journal == tmp_path / "journals" / "gameday-test" / "02-deviates.jsonl"


def test_summary_shows_each_experiment_coverage_and_exit(tmp_path: Path) -> None:
    result, _, _ = drill(tmp_path, ["ok", "deviates", "refused"])
    text = render_summary(result)
    assert "Game day: Weekly drill" in text
    assert "completed" in text and "deviated" in text and "refused" in text
    assert "ML Test Score monitoring coverage: 1/7 proved" in text
    assert text.rstrip().endswith("Drill result: exit 1 (deviated)")


def test_stop_on_failure_skips_the_rest(tmp_path: Path) -> None:
    result, engine, _ = drill(tmp_path, ["deviates", "ok"], "stop_on_failure: true\n")
    assert len(engine.calls) == 1
    assert result.outcomes[1].status == "skipped"
    assert "stop_on_failure" in result.outcomes[1].note
    assert result.exit_code == ExitCode.DEVIATED


def test_a_guard_abort_stops_the_drill_even_without_stop_on_failure(tmp_path: Path) -> None:
    result, engine, _ = drill(tmp_path, ["aborted", "ok"])
    assert len(engine.calls) == 1 and result.exit_code == ExitCode.ABORTED


def test_deadline_skips_what_is_left_and_aborts(tmp_path: Path) -> None:
    result, engine, _ = drill(tmp_path, ["ok", "ok2", "ok3"], "deadline: 1500ms\n")
    assert len(engine.calls) == 2  # the second starts with 0.5s left
    assert engine.calls[1].deadline_s == pytest.approx(0.5)
    assert result.outcomes[2].status == "skipped"
    assert result.exit_code == ExitCode.ABORTED


def test_pause_between_experiments_not_after_the_last(tmp_path: Path) -> None:
    result, _, clock = drill(tmp_path, ["ok", "ok2"], "pause: 30s\n")
    assert clock.now == pytest.approx(1 + 30 + 1)
    assert result.exit_code == ExitCode.OK


def test_halt_during_the_pause_skips_the_rest(tmp_path: Path) -> None:
    seen = iter([False, False, True, True, True])
    result, engine, _ = drill(tmp_path, ["ok", "ok2"], "pause: 5s\n", halted=lambda: next(seen))
    assert len(engine.calls) == 1
    assert "halt" in result.outcomes[1].note and result.exit_code == ExitCode.ABORTED


def test_a_signal_after_an_experiment_ended_starts_no_other(tmp_path: Path) -> None:
    """The first experiment ended 0 (its run.end came before the signal): still no second."""
    seen = itertools.chain([None], itertools.repeat("SIGTERM"))
    result, engine, _ = drill(tmp_path, ["ok", "ok2"], interrupted=lambda: next(seen))
    assert len(engine.calls) == 1
    assert result.outcomes[0].exit_code == ExitCode.OK
    assert result.outcomes[1].exit_code is None
    assert result.outcomes[1].note == "skipped: interrupted by SIGTERM"
    assert result.exit_code == ExitCode.INTERRUPTED


def test_halt_in_force_refuses_the_drill(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="halt switch"):
        drill(tmp_path, ["ok"], halted=lambda: True)


def test_environment_outside_the_plan_refuses(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="only in staging"):
        drill(tmp_path, ["ok"], "environments: [staging]\n", env="prod")


def test_engine_error_becomes_that_experiments_outcome(tmp_path: Path) -> None:
    result, engine, _ = drill(tmp_path, ["infra", "ok"])
    assert len(engine.calls) == 2
    assert result.outcomes[0].exit_code == ExitCode.TOOL_ERROR
    assert "cannot reach" in result.outcomes[0].note
    assert result.exit_code == ExitCode.TOOL_ERROR


def test_missing_experiment_file_is_reported_with_its_location(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["ok"])
    (tmp_path / "ok.yaml").unlink()
    where = r"plan.yaml:4:\d+: experiments\[0\].path: no experiment"
    with pytest.raises(ValidationError, match=where):
        load_plan(plan)
