"""`chaosml rollback` and `chaosml report` on journals that are not what they should be: a
clear message naming the file (and the line), exit 2, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaosml.cli.report_entry import report
from chaosml.cli.rollback_cmd import rollback

RUN = "20261201T000000Z-abc123"


def _event(seq: int, event: str, **fields: Any) -> dict[str, Any]:
    return {
        "event": event,
        "seq": seq,
        "run_id": RUN,
        "mono": seq / 10,
        "wall": 1.8e9 + seq,
        **fields,
    }


def base_events() -> list[dict[str, Any]]:
    """A whole journal of a run that ended with one undo pending (a harmless `true`)."""
    undo = {"kind": "process.run", "data": {"command": ["true"], "shell": False, "timeout": 5.0}}
    return [
        _event(0, "run.start", version="0.1.0", title="t", tags=["a"], experiment={"version": 1},
               command_line=["chaosml"], environment=None, seed=1, pid=0,
               host=socket.gethostname(), user="u", dry_run=False),
        _event(1, "phase", name="method"),
        _event(2, "target.resolved", target={"name": "m", "kind": "docker", "matched": 1,
               "members": [{"id": "c1", "name": "m1"}]}, seed=1, require_label=None),
        _event(3, "fault.undo_registered", undo_id=f"{RUN}.u1", step=0, fault="process.run",
               name="f", target=None, undo={**undo, "description": "run true"}),
        _event(4, "fault.applied", undo_id=f"{RUN}.u1", step=0, fault="process.run", name="f",
               target=None, description="run x", duration=None, background=False),
        _event(5, "probe.result", phase="method", name="p", kind="http", step=1, ok=True,
               tolerated=False, value={"value": 1}, expect={"status": 200}, reason=None,
               error=None, weight=1.0, duration_s=0.1),
        _event(6, "alert.fired", name="A", labels={"x": "y"}, state="firing", source=None,
               active_at=1.8e9 + 5, time_to_detect_s=1.0),
        _event(7, "run.end", status="completed", exit_code=0, reason="ok", ended_by="completed",
               pending_undos=[], duration_s=1.0, summary={"alerts": [{"name": "A"}], "score": 1}),
    ]  # fmt: skip


def write(path: Path, events: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def run_cli(command: Callable[[], int]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = command()  # an exception escaping here is the traceback a user would see
    return code, out.getvalue() + err.getvalue()


def both(path: Path) -> list[tuple[str, int, str]]:
    html, junit, markdown = (path.with_suffix(s) for s in (".html", ".xml", ".md"))
    return [
        ("report", *run_cli(lambda: report([path], html, junit, markdown, False))),
        ("rollback", *run_cli(lambda: rollback(path, False))),
    ]


def test_the_base_journal_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    write(path, base_events())
    assert [(name, code) for name, code, _ in both(path)] == [("report", 0), ("rollback", 0)]


def _broken(tmp_path: Path, case: str) -> Path:
    path = tmp_path / "j.jsonl"
    events = base_events()
    if case == "empty":
        path.write_bytes(b"")
    elif case == "binary":
        path.write_bytes(b"\x00\x01\x02\xff\xfe" * 100 + b"\n")
    elif case == "not utf-8":
        write(path, events)
        path.write_bytes(path.read_bytes().replace(b'"title": "t"', b'"title": "\xe9t\xe9"'))
    elif case == "undo without its record":
        del events[3]["undo"]
        write(path, events)
    elif case == "undo id a number":
        events[3]["undo_id"] = 5
        write(path, events)
    elif case == "target a list":
        events[2]["target"] = []
        write(path, events)
    elif case == "mono a string":
        events[1]["mono"] = "soon"
        write(path, events)
    elif case == "a line that is a list":
        write(path, events)
        path.write_text(path.read_text().replace(json.dumps(events[1]), "[1, 2]"))
    elif case == "deep nesting":
        write(path, events)
        path.write_text(path.read_text() + "[" * 100_000 + "\n" + json.dumps(events[-1]) + "\n")
    elif case == "a 5000-digit number":
        events[1]["seq"] = int("9" * 4000)
        path.write_text("".join(json.dumps(e) + "\n" for e in events[:1]) + '{"event": "phase", '
                        '"seq": ' + "9" * 5000 + "}\n" + json.dumps(events[-1]) + "\n")  # fmt: skip
    return path


CASES = [
    "empty",
    "binary",
    "not utf-8",
    "undo without its record",
    "undo id a number",
    "target a list",
    "mono a string",
    "a line that is a list",
    "deep nesting",
    "a 5000-digit number",
]


@pytest.mark.parametrize("case", CASES)
def test_a_broken_journal_is_exit_2_with_file_and_line(tmp_path: Path, case: str) -> None:
    path = _broken(tmp_path, case)
    for name, code, text in both(path):
        assert code == 2, (name, text)
        assert str(path) in text and "Traceback" not in text, (name, text)
        if case != "empty":
            assert f"{path}:" in text, (name, text)  # file:line


def test_a_journal_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    from chaosml.journal import reader as journal_file

    monkeypatch.setattr(journal_file, "MAX_JOURNAL_BYTES", 1000)
    path = tmp_path / "j.jsonl"
    write(path, base_events())
    for name, code, text in both(path):
        assert code == 2 and "size limit" in text and str(path) in text, (name, text)


def test_a_line_over_the_limit_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    from chaosml.journal import reader as journal_file

    monkeypatch.setattr(journal_file, "MAX_LINE_BYTES", 200)
    path = tmp_path / "j.jsonl"
    write(path, base_events())
    for name, code, text in both(path):
        assert code == 2 and f"{path}:1:" in text and "over the limit" in text, (name, text)


# -- generated damage -------------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    events = base_events()
    index = draw(st.integers(0, len(events) - 1))
    how = draw(st.sampled_from(["value", "drop", "line", "cut", "insert"]))
    if how == "value":
        key = draw(st.sampled_from(sorted(events[index])))
        events[index][key] = draw(JSON)
    elif how == "drop":
        events[index].pop(draw(st.sampled_from(sorted(events[index]))))
    lines = [json.dumps(e).encode() + b"\n" for e in events]
    if how == "line":
        lines[index] = draw(st.binary(max_size=60)) + b"\n"
    elif how == "insert":
        lines.insert(index, draw(st.binary(max_size=60)))
    data = b"".join(lines)
    if how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=damaged())
def test_generated_broken_journals_never_raise(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "j.jsonl"
        path.write_bytes(data)
        for name, code, text in both(path):
            path.write_bytes(data)  # rollback may have appended
            assert code in (0, 2, 6), (name, code, text)
            assert "Traceback" not in text
            if code == 2:
                assert str(path) in text, (name, text)
