"""The event classes are the one definition: the registry, `chaosml schema --journal` and
docs/journal.md come from them; unknown kinds are kept, malformed known ones are located."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter
from typer.testing import CliRunner

from chaosml.cli.app import app
from chaosml.journal.base import EVENT_TYPES, GenericEvent
from chaosml.journal.reader import load_events
from chaosml.journal.schema import journal_schema, render_doc
from tests.unit.journal.helpers import run_cli

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "journals"


def test_docs_journal_md_is_what_the_generator_writes() -> None:
    assert (ROOT / "docs" / "journal.md").read_text(encoding="utf-8") == render_doc(), (
        "docs/journal.md is stale: run  python -m chaosml.journal.schema > docs/journal.md"
    )


def test_every_event_kind_is_in_the_doc_and_the_schema() -> None:
    doc = render_doc()
    mapping = journal_schema()["discriminator"]["mapping"]
    for kind, cls in EVENT_TYPES.items():
        assert f"| `{kind}` | `{cls.__name__}` |" in doc
        assert kind in mapping


def test_chaosml_schema_journal_prints_the_schema() -> None:
    done = CliRunner().invoke(app, ["schema", "--journal"])
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert printed["title"].startswith("chaosml journal line")
    assert set(printed["discriminator"]["mapping"]) == set(EVENT_TYPES)


def test_the_old_fixture_journals_are_valid_lines_of_the_schema() -> None:
    known = TypeAdapter(dict)
    for path in FIXTURES.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = known.validate_json(line)
            assert raw["event"] in EVENT_TYPES, raw["event"]


def test_an_unknown_event_kind_is_kept_not_an_error(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    lines = (FIXTURES / "813593a-completed.jsonl").read_text().splitlines()
    future = {"event": "cache.flushed", "seq": 99, "run_id": json.loads(lines[0])["run_id"]}
    journal.write_text(
        "\n".join([*lines[:-1], json.dumps({**future, "keys": 3}), lines[-1]]) + "\n"
    )
    flushed = [e for e in load_events(journal) if e.event == "cache.flushed"]
    assert len(flushed) == 1 and isinstance(flushed[0], GenericEvent)
    assert flushed[0].extra == {"keys": 3}


def test_a_malformed_known_event_is_exit_2_with_file_and_line(tmp_path: Path) -> None:
    from chaosml.cli.report_entry import report

    journal = tmp_path / "j.jsonl"
    lines = (FIXTURES / "813593a-completed.jsonl").read_text().splitlines()
    applied = json.loads(lines[6])
    assert applied["event"] == "fault.applied"
    lines[6] = json.dumps({**applied, "duration": "soon"})
    journal.write_text("\n".join(lines) + "\n")
    code, text = run_cli(lambda: report([journal], None, None, None, False))
    assert code == 2 and "Traceback" not in text
    assert f"{journal}:7: 'fault.applied' field 'duration'" in text
