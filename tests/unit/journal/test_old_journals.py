"""Journals written by chaosml 813593a (format 1) are still read by ``chaosml report`` (every
format) and ``chaosml rollback`` (docs/journal.md, Old journals)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from chaosml.cli.rollback_cmd import rollback
from chaosml.journal import events as ev
from chaosml.journal.reader import load_events
from tests.unit.journal.helpers import every_format, junit_cases, run_cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "journals"
FLAG = "/tmp/chaosml-old813-flag"
KILLED_PID = '"pid": 14973'


def _copy(name: str, tmp_path: Path) -> tuple[Path, Path]:
    """The fixture with its flag path in ``tmp_path`` and its runner's pid one that is gone."""
    flag = tmp_path / "maintenance.flag"
    dead = subprocess.Popen(["true"])
    dead.wait()
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = text.replace(FLAG, str(flag)).replace(KILLED_PID, f'"pid": {dead.pid}')
    journal = tmp_path / name
    journal.write_text(text, encoding="utf-8")
    return journal, flag


def test_an_old_journal_is_read_as_format_1(tmp_path: Path) -> None:
    for name in ("813593a-completed.jsonl", "813593a-killed.jsonl"):
        events = load_events(FIXTURES / name)
        assert isinstance(events[0], ev.RunStarted) and events[0].journal_format == 1
        assert not [e for e in events if type(e).__name__ == "GenericEvent"]


def test_the_old_completed_run_renders_in_every_format(tmp_path: Path) -> None:
    journal, _ = _copy("813593a-completed.jsonl", tmp_path)
    shown = every_format(journal, tmp_path)
    title = "Old-format journal fixture (completed run)"
    assert "COMPLETED (exit 0): the hypothesis held" in shown.console
    assert "⚡ fault set the maintenance flag" in shown.console
    for text in (shown.markdown_stdout, shown.markdown, shown.html):
        assert title in text and "a check that deviates" in text
    assert "tolerated: **a check that deviates** (method)" in shown.markdown
    cases = junit_cases(shown.junit)
    assert any("flag is visible" in name and how == "passed" for name, how in cases.items())


def test_the_old_killed_run_renders_incomplete_with_its_pending_undo(tmp_path: Path) -> None:
    journal, flag = _copy("813593a-killed.jsonl", tmp_path)
    shown = every_format(journal, tmp_path)
    assert "| Old-format journal fixture (killed run) | incomplete |" in shown.markdown
    assert "undo pending: `u1` run rm -f " in shown.markdown  # the path: Markdown-escaped
    assert "maintenance.flag — needs a person" in shown.markdown
    assert "incomplete" in shown.html and f"rm -f {flag}" in shown.html


def test_rollback_runs_the_undo_an_old_killed_run_left_pending(tmp_path: Path) -> None:
    journal, flag = _copy("813593a-killed.jsonl", tmp_path)
    flag.touch()  # the fault the killed run left in place
    code, text = run_cli(lambda: rollback(journal, False))
    assert code == 0, text
    assert not flag.exists()
    reverted = [e for e in load_events(journal) if isinstance(e, ev.FaultReverted)]
    assert [(e.undo_id, e.ok, e.by) for e in reverted] == [("u1", True, "rollback-command")]
    code, text = run_cli(lambda: rollback(journal, False))
    assert code == 0 and "nothing to roll back" in text


def test_rollback_of_an_old_completed_run_finds_nothing_to_do(tmp_path: Path) -> None:
    journal, _ = _copy("813593a-completed.jsonl", tmp_path)
    code, text = run_cli(lambda: rollback(journal, False))
    assert code == 0 and "nothing to roll back" in text
