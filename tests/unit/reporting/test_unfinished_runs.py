"""A run that did not finish its method has no score, and every report says what did not run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from chaosml.journal.parse import parse_event
from chaosml.reporting.console import ConsoleObserver
from chaosml.reporting.html import render_html
from chaosml.reporting.journal_reader import RunReport, read_journal
from chaosml.reporting.markdown import render_markdown

DATA = Path(__file__).parent / "data"
NOT_RUN = ["method[1] wait 60s", "recovery"]


def _interrupted(tmp_path: Path) -> RunReport:
    """passed.jsonl, but its run.end says the run was interrupted in the method."""
    lines = [json.loads(line) for line in (DATA / "passed.jsonl").read_text().splitlines()]
    end = lines[-1]
    end.update(status="interrupted", exit_code=130, reason="interrupted by SIGINT during method")
    end["summary"].update(score=None, not_run=NOT_RUN)
    path = tmp_path / "interrupted.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    return read_journal(path)


def test_a_killed_run_has_no_score(tmp_path: Path) -> None:
    """passed.jsonl cut before its run.end (the runner was SIGKILLed in the method)."""
    lines = (DATA / "passed.jsonl").read_text().splitlines()[:-1]
    path = tmp_path / "killed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    killed = read_journal(path)
    assert killed.expectations and all(p.ok for p in killed.expectations)  # would read 100%
    assert killed.status == "incomplete" and killed.score is None
    markdown = render_markdown([killed])
    assert "No score: the run did not finish" in markdown and "100%" not in markdown
    assert "no score: the run did not finish" in render_html([killed])


def test_an_interrupted_run_has_no_score_and_says_what_did_not_run(tmp_path: Path) -> None:
    report = _interrupted(tmp_path)
    assert report.score is None and report.not_run == NOT_RUN
    markdown = render_markdown([report])
    assert "All expectations met" not in markdown and "100%" not in markdown
    assert "Not run: method\\[1\\] wait 60s, recovery." in markdown  # [ escaped: shown literally
    assert "no score: the run did not finish" in render_html([report])


def test_the_console_says_there_is_no_score(tmp_path: Path) -> None:
    out = io.StringIO()
    end = json.loads((DATA / "passed.jsonl").read_text().splitlines()[-1])
    end.update(status="interrupted", exit_code=130, reason="interrupted by SIGINT")
    end["summary"].update(score=None, not_run=NOT_RUN)
    ConsoleObserver(out, color=False)(parse_event(end))
    assert (
        "no score: the run did not finish; not run: method[1] wait 60s, recovery" in out.getvalue()
    )
