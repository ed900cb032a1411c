"""The command-line reference (docs/cli.md), generated from the typer app itself.

    python -m chaosml.cli.docgen > docs/cli.md

Every command and sub-command with its ``--help`` text, then the environment variables
chaosml reads (``ENVIRONMENT``; a test checks that every ``CHAOSML_*`` name in the package is
listed) and the prose below. A test fails when docs/cli.md differs from this output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
import typer.main

from chaosml.cli.app import app

ENVIRONMENT = {
    "CHAOSML_ENV": "the environment name when `--env` is not given (checked against "
    "`blast_radius.environments`)",
    "CHAOSML_HALT_FILE": "this account's halt switch, `chaosml halt --scope user` (default "
    "`~/.local/state/chaosml/HALT`; docs/safety.md)",
    "CHAOSML_SYSTEM_HALT_DIR": "the machine-wide halt directory every account's runs watch, "
    "`chaosml halt` (default `/var/lib/chaosml/halt`; docs/safety.md)",
    "CHAOSML_HALT_URL": "team/cluster halt sources every run polls: `postgresql://…`, "
    "`k8s://NAMESPACE/NAME`, `http(s)://…` (several: comma-separated; docs/safety.md)",
    "CHAOSML_CONFIG": "the config file (halt URLs, global stop conditions; default "
    "`./chaosml.toml`, else `/etc/chaosml/chaosml.toml`; docs/safety.md)",
    "CHAOSML_LOCK_DIR": "where runs lock their targets (default `~/.cache/chaosml/locks`)",
    "CHAOSML_STATE_DIR": "where a fault driver called outside a run (the Python API) keeps its "
    "snapshots (default `<tmp>/chaosml-state`; a run keeps them beside its journal)",
    "CHAOSML_DISABLE_PLUGIN_AUTOLOAD": "`1`: do not load third-party drivers (entry points)",
    "CHAOSML_PROXY_TOKEN": "the token `chaosml proxy serve` requires on its API (as `--token`); "
    "the proxy driver sends it",
    "CHAOSML_PROXY_LOOP": "`asyncio`: the proxy uses asyncio's own event loop instead of uvloop",
    "CHAOSML_PUSHGATEWAY_URL": "push `chaosml_fault_active` to this Pushgateway while a fault "
    "is active (docs/reports.md)",
    "CHAOSML_GRAFANA_URL": "write a Grafana annotation per fault window to this Grafana",
    "CHAOSML_GRAFANA_TOKEN": "the API token for `CHAOSML_GRAFANA_URL`",
    "CHAOSML_MAX_FILE_BYTES": "the largest experiment or plan file read (default 1 MB; "
    "docs/experiment-format.md, Limits)",
    "CHAOSML_SECRET_<NAME>": "read by `chaosml rollback` for a secret that was not defined as "
    "`${env:VAR}` (docs/rollback.md)",
    "CHAOSML_KUBE_CONTEXT": "the kubeconfig context the k8s drivers use (as `--kube-context`; "
    "default: the current context of `KUBECONFIG` / `~/.kube/config`)",
    "CHAOSML_RUNS_DIR": "the host's index of runs that may have faults in place, for "
    "`chaosml reap` (default `~/.cache/chaosml/runs`)",
    "CHAOSML_LEASE_SECONDS": "the lease of a proxy toxic a run adds (default 30; the runner "
    "renews it every third; docs/rollback.md)",
    "CHAOSML_PRINT_EXIT": "`1`: `chaosml run` prints `exit code N` as its last line",
    "CHAOSML_DEMO_OUT": "where `chaosml demo` writes journals and reports (default "
    "`~/.cache/chaosml/demo/<UTC time>`)",
    "CHAOSML_PROXY_API": "set by `chaosml stack up` / `demo`: the example stack's proxy API, "
    "read by the drills",
    "CHAOSML_DEMO_DIR": "set by `chaosml stack up` / `demo`: the example stack's work "
    "directory (feed, model, version file), read by the drills",
    "CHAOSML_PYTHON": "set by `chaosml stack up` / `demo`: the Python the drills run "
    "`chaosml.demo.train` with",
    "CHAOSML_DEMO_SESSION": "internal: marks every process of one demo or stack (the reaper "
    "stops them by it)",
    "CHAOSML_DEMO_STACK": "internal: the example services' work directory, in their environment",
    "CHAOSML_HISTORY_URL": "the drill history store, `sqlite:///PATH` or `postgresql://…` "
    "(as `--history`; default `$XDG_DATA_HOME/chaosml/history.db`; docs/history.md)",
    "CHAOSML_HISTORY": "`off`: runs, game days and searches are not recorded (as `--no-history`)",
    "CHAOSML_TEST": "internal: `1` labels the example stack's containers `chaosml.test=1` "
    "(the test suite)",
}

PROSE = """\
## Exit codes
The same for every command: docs/exit-codes.md (0 held, 1 deviated, 2 invalid or refused,
3 not steady, 4 aborted, 5 tool error, 6 rollback incomplete, 130 interrupted).

## Signals
The first SIGINT or SIGTERM stops the steady state / method at once and rolls back (exit 130).
A second one skips what is left of the rollback, still writes the journal with the undos that
did not run listed in `run.end.pending_undos`, and exits 6; `chaosml rollback JOURNAL` runs them.
Commands chaosml runs (probes, `process.run`) get their own process group and are killed as a
group.

## Dry run
`chaosml run --dry-run` makes every check `run` makes before it touches anything (halt switch,
environment, targets, duration budget) and prints the plan — the targets it would pick and each
step at its planned offset from the start of the method (the earliest: waits and fault durations
add up; an alert step takes up to its `fires_within`) — then its verdict. It writes nothing: no
journal, no target lock, no file. A refusal exits 2 and says why.

## Output
Progress is printed as the run goes (colour on a terminal, plain lines otherwise): phases,
probe verdicts, faults applied and undone, alerts with their time to detect, guard breaches,
and a last line with the status, the exit code and the reason. Errors are one line per cause
with the next step after `→`. `--debug` adds tracebacks to tool errors. Bad input never
produces a traceback: a located message and exit 2.
"""


def render() -> str:
    root = typer.main.get_command(app)
    parts = ["# Command line\n", _generated_note(), _summary_table(root), *_sections(root)]
    parts += [_environment(), PROSE]
    return "\n".join(parts)


def _generated_note() -> str:
    return (
        "<!-- Generated by `python -m chaosml.cli.docgen > docs/cli.md` from the typer app; "
        "do not edit by hand (tests/unit/cli/test_docgen.py fails when it is stale). -->\n"
    )


def _commands(group: Any, parent: typer.Context) -> Iterator[tuple[str, Any, typer.Context]]:
    for name, command in group.commands.items():
        if command.hidden:
            continue
        ctx = typer.Context(command, info_name=name, parent=parent)
        if hasattr(command, "commands"):
            if getattr(command, "invoke_without_command", False):  # a command too (history)
                yield ctx.command_path, command, ctx
            yield from _commands(command, ctx)
        else:
            yield ctx.command_path, command, ctx


def _root_context(root: Any) -> typer.Context:
    """A fixed width, so that the text does not depend on the terminal it is generated in."""
    return typer.Context(root, info_name="chaosml", terminal_width=100, max_content_width=100)


def _summary_table(root: Any) -> str:
    rows = ["| command | does |", "|---|---|"]
    for path, command, _ in _commands(root, _root_context(root)):
        rows.append(f"| [`{path}`](#{_anchor(path)}) | {_first_line(command.help)} |")
    rows.append("| `chaosml --version` | the version |")
    return "\n".join(rows) + "\n"


def _sections(root: Any) -> Iterator[str]:
    for path, command, ctx in _commands(root, _root_context(root)):
        yield "\n".join([f"## {path}\n", "```", command.get_help(ctx).rstrip(), "```", ""])


def _environment() -> str:
    rows = ["## Environment\n", "| variable | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {meaning} |" for name, meaning in ENVIRONMENT.items()]
    return "\n".join(rows) + "\n"


def _clean(text: str | None) -> str:  # one table cell
    return " ".join((text or "").split()).replace("|", "\\|")


def _first_line(text: str | None) -> str:
    return _clean((text or "").strip().split("\n\n")[0])


def _anchor(path: str) -> str:
    return path.replace(" ", "-")


if __name__ == "__main__":
    print(render(), end="")
