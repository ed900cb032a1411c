"""The options several commands share, each defined once as an ``Annotated`` type, and the
options ``run`` and ``gameday`` both end with, added to a command by ``with_run_flags``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from chaosml.cli.run_flags import RunFlags

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
History = Annotated[
    str | None,
    typer.Option(
        "--history",
        help="History store: sqlite:///PATH or postgresql://… (or CHAOSML_HISTORY_URL).",
    ),
]
NoHistory = Annotated[
    bool,
    typer.Option(
        "--no-history", help="Do not record this in the drill history (or CHAOSML_HISTORY=off)."
    ),
]
NoWatchdog = Annotated[
    bool,
    typer.Option(
        "--no-watchdog",
        help="Start no watchdog: if the runner dies, nothing rolls its faults back (journaled).",
    ),
]
HaltSourceUnreachable = Annotated[
    str | None,
    typer.Option(
        "--halt-source-unreachable",
        help="A halt source or stop condition that cannot be read: abort (exit 4) or warn.",
    ),
]
Env = Annotated[str | None, typer.Option("--env", help="Environment name (or CHAOSML_ENV).")]
Vars = Annotated[list[str], typer.Option("--var", help="Override a var: k=v (repeatable).")]
JournalDir = Annotated[Path, typer.Option("--journal-dir", help="Where journals go.")]
AllowPython = Annotated[bool, typer.Option("--allow-python", help="Allow python probes.")]


def _flags(
    declared: dict[str, Any],
    no_watchdog: NoWatchdog = False,
    history: History = None,
    no_history: NoHistory = False,
    halt_source_unreachable: HaltSourceUnreachable = None,
    debug: Debug = False,
) -> RunFlags:
    """The flags from the options; ``--history``/``--no-history`` go to the environment, so
    that everything the command starts sees the same store."""
    from chaosml.history.hook import apply_options

    apply_options(history, no_history)
    watchdog = not no_watchdog
    return RunFlags(
        **declared, watchdog=watchdog, halt_unreachable=halt_source_unreachable, debug=debug
    )


TAIL = list(inspect.signature(_flags, eval_str=True).parameters.values())[1:]
DECLARABLE = ("env", "var", "journal_dir", "allow_python", "seed")


def with_run_flags(command: Callable[..., None]) -> Callable[..., None]:
    """A command that starts runs (``run``, ``gameday``), as typer sees it: its own options,
    then ``--no-watchdog``, ``--history``, ``--no-history``, ``--halt-source-unreachable`` and
    ``--debug``. The command receives them, with those of its options that are ``RunFlags``
    fields (``env``, ``var``, ``journal_dir``, ``allow_python``, ``seed``: declared where its
    ``--help`` lists them), as one keyword ``flags: RunFlags``."""
    own = inspect.signature(command, eval_str=True)
    options = [p for name, p in own.parameters.items() if name != "flags"]

    @functools.wraps(command)
    def with_flags(**given: Any) -> None:
        tail = {p.name: given.pop(p.name) for p in TAIL}
        declared = {name: given.pop(name) for name in DECLARABLE if name in given}
        command(**given, flags=_flags(declared, **tail))

    signature = own.replace(parameters=[*options, *TAIL])
    with_flags.__signature__ = signature  # type: ignore[attr-defined]
    with_flags.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return with_flags
