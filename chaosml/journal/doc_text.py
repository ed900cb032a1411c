"""The hand-written prose of docs/journal.md, around the generated table of events."""

BEFORE = r"""# The journal

Every run leaves one journal: a JSON-lines file, one event a line, flushed and fsync'd as the run
goes. It is the record of what happened and the input of `chaosml report` and
`chaosml rollback`. Default path: `./chaosml-journals/<run_id>.jsonl` (`--journal P` sets it;
a `P` that already holds events is refused unless `--append-journal` is given, and then the file
holds several runs, each from its own `run.start`, every event carrying its run's `run_id`).

Every event has these fields:

| field | meaning |
|---|---|
| `event` | the event type (below) |
| `seq` | 0, 1, 2, … in the order written |
| `run_id` | the run's id (`20261129T074500Z-3f2a`), also the `chaosml.run_id` label value |
| `mono` | seconds since the run started, from a monotonic clock |
| `wall` | Unix time (seconds, float, UTC) |

## Event types

Generated from the event classes in `chaosml/journal/events.py` (`python -m
chaosml.journal.schema > docs/journal.md`; `chaosml schema --journal` prints the JSON Schema of
a line). This chaosml writes journal format **{format}**, stated as `journal_format` in every
`run.start`.

"""

AFTER = r'''
Status values: `completed`, `deviated`, `not-steady`, `aborted`, `interrupted`, `failed`,
`refused`, `rollback-incomplete`.

`ended_by` says who or what ended the run: `completed`, `deviation`, `guard:<name>`,
`deadline`, `halt`, `signal:SIGINT`, `signal:SIGTERM`, `error`, `refused`, `not-steady`, and
`watchdog` / `reap` when the runner died and they rolled the run back.

`summary` holds `expectations_total`, `expectations_met`, `score` (weighted share met, 0 to 1),
`alerts` (`[{name, fired, time_to_detect_s, time_to_resolve_s, resolved}]`) and
`ml_test_score` (the `ml-test-score:Mn` tags of the experiment).

## Pending undos and `chaosml rollback`

An undo is pending when its `fault.undo_registered` has no `fault.reverted` with `ok: true` of
the same run. `chaosml rollback JOURNAL` runs the pending ones (last registered first, run by
run) and appends their `fault.reverted` events (`by: rollback-command`) to the same journal, so
a second `chaosml rollback` finds nothing to do. See [rollback.md](rollback.md) for the lock,
the live-run check, secrets and leftover commands.

## Reading a journal back

`chaosml report` and `chaosml rollback` read a journal the same way, and anything that is not a
journal is exit 2 with `FILE:LINE: what is wrong`, never a traceback:

- the file must exist, be at most 128 MiB, and each line at most 8 MiB;
- every line is UTF-8 JSON, an object with an `event` field; blank lines are skipped;
- the fields in the table above have their types when present (`seq` an integer,
  `mono`/`wall` numbers, `ok` true/false, `undo` an object with `kind`, `data` and
  `description`, …), and `fault.undo_registered` (`undo_id`, `undo`), `fault.reverted`
  (`undo_id`, `ok`), `command.started` (`pgid`, `start_time`) and `run.end` (`status`) have
  their keys (a bad one: `FILE:LINE: 'kind' field 'name': what is wrong, got VALUE`);
  unknown fields are kept, and an event of a kind this chaosml does not know (written by a
  newer one) is kept as a generic event and otherwise ignored;
- the first event is a `run.start`, and every event belongs to a run started before it;
- only the **last** line may be torn — no newline and not a whole event, as a crash leaves it —
  and it is then ignored. A bad line anywhere else is an error.

## Old journals

The format is detected per run from its `run.start`: `journal_format` (an integer) names it;
a `run.start` without it is format 1, what chaosml wrote up to 813593a. A run in an older
format is upgraded as it is read (`chaosml/journal/upgrade.py`), so `chaosml report` and
`chaosml rollback` read it like a new one:

- format 1 → 2: only `journal_format` was added. Format 1 has no `pid_start` (so the live-run
  check of `chaosml rollback` goes by pid alone) and its undo ids are `u1`, `u2`, … (unique
  within a run, not across the runs of a file); both are read as they are.

A committed journal of each old format (`tests/fixtures/journals/`) is reported in every format
and rolled back by the tests. A journal written by a newer chaosml reads as far as this one
understands it: unknown kinds and fields are kept, never an error.

## Adding an event

One class in `chaosml/journal/events.py`:

```python
class CacheFlushed(JournalEvent):
    """A cache was flushed (one line: when it is written).

    Fields: `name` (the cache), `keys` (how many keys it held)
    """

    event: Literal["cache.flushed"] = "cache.flushed"
    name: StrictStr = ""
    keys: Int | None = None
```

Defining it registers the kind (`chaosml.journal.base.EVENT_TYPES`); the engine writes it with
`journal.write(CacheFlushed(name=..., keys=...))` (the writer sets `seq`, `run_id`, `mono`,
`wall` and redacts), every reader gets a `CacheFlushed`, and the schema and this page follow
once the page is regenerated (a test says when it is stale). Give every field a default unless
a journal is meaningless without it (then also list it in `required`), so that older journals
without the field still read. Renaming or reshaping a field is a new `journal_format`, with an
upgrade step in `chaosml/journal/upgrade.py` and a fixture journal of the old format.
`journal.emit("kind", **fields)` still works: it checks the fields with the kind's class (an
unknown kind is written as a generic event); prefer the class.
'''
