"""``chaosml halt [--scope S] [--reason R] | --clear | --status`` (docs/safety.md).

The default scope is the machine: every account's runs on this host. When the machine's halt
directory cannot be written, the halt falls back to this account's file and says so. A file
that cannot be written or removed is a clear error naming it (exit 2), a halt service that
cannot be reached names the service (exit 5); never a traceback.
"""

from __future__ import annotations

import sys

from chaosml.cli.errors import guarded
from chaosml.config_file import load_config
from chaosml.engine import halt as switch
from chaosml.engine.stop_conditions import stop_sources
from chaosml.errors import InputError
from chaosml.halt.board import read_once
from chaosml.halt.file_source import FileSource
from chaosml.halt.machine import SYSTEM_DIR_ENV, machine_source, prepare_shared_dir, system_dir
from chaosml.halt.record import HaltRecord, new_record
from chaosml.halt.sources import HaltSource
from chaosml.halt.urls import source_for

SCOPES = "machine, user, urls or one halt URL"


def halt(
    clear: bool, reason: str, scope: str = "machine", status: bool = False, debug: bool = False
) -> int:
    if status:
        return guarded(_status, debug)
    return guarded(lambda: _clear(scope) if clear else _set(scope, reason), debug)


def _targets(scope: str) -> list[HaltSource]:
    if scope == "machine":
        return [machine_source()]
    if scope == "user":
        return [switch.user_source()]
    if scope == "urls":
        found = switch.url_sources(load_config())
        if not found:
            raise InputError("no halt URL is configured", hint="set CHAOSML_HALT_URL or halt.urls")
        return found
    if "://" in scope:
        return [source_for(scope)]
    raise InputError(f"unknown halt scope {scope!r}", hint=f"use {SCOPES}")


def _set(scope: str, reason: str) -> int:
    record = new_record(reason)
    for target in _targets(scope):
        if scope == "machine":
            target = _set_machine(record)
        else:
            _write(target, record)
        print(
            f"HALT set ({target.scope}: {target.where}): running experiments abort within "
            "a second; new runs refuse"
        )
    return 0


def _set_machine(record: HaltRecord) -> HaltSource:
    """The machine's halt; this account's when the machine's cannot be written."""
    target = machine_source()
    try:
        prepare_shared_dir()
        target.set(record)
    except OSError as exc:
        fallback = switch.user_source()
        print(
            f"cannot write the machine-wide halt {target.path} ({_cause(exc)}): halting only "
            f"this account's runs ({fallback.path}); to reach every account, have root run "
            f"'install -d -m 1777 {system_dir()}' (or set {SYSTEM_DIR_ENV})",
            file=sys.stderr,
        )
        _write(fallback, record)
        return fallback
    return target


def _clear(scope: str) -> int:
    for target in _targets(scope):
        try:
            removed = target.clear()
        except OSError as exc:
            raise _unusable("remove", target, exc) from exc
        said = "halt cleared" if removed else "no halt was set"
        print(f"{said} ({target.scope}: {target.where})")
    still = read_once(_all_sources()).active
    for left in still:
        print(f"still in force: {left.message()}", file=sys.stderr)
    return 0


def _status() -> int:
    """Every scope, one line each: in force (who, why), clear, or unreachable."""
    sources = _all_sources()
    reading = read_once(sources)
    active = {id(found.source): found for found in reading.active}
    lost = {id(item.source): item for item in reading.unreachable}
    for source in sources:
        if id(source) in active:
            print(f"HALTED  {source.scope}: {source.where}: {active[id(source)].record.describe()}")
        elif id(source) in lost:
            print(f"UNREACHABLE  {source.scope}: {source.where}: {lost[id(source)].error}")
        else:
            print(f"clear   {source.scope}: {source.where}")
    return 0


def _all_sources() -> list[HaltSource]:
    """Every halt scope and global stop condition this account's runs watch."""
    config = load_config()
    return [*switch.halt_sources(config), *stop_sources(config.stop_conditions, None)]


def _write(target: HaltSource, record: HaltRecord) -> None:
    try:
        target.set(record)
    except OSError as exc:
        raise _unusable("write", target, exc) from exc


def _cause(exc: OSError) -> str:
    return f"{exc.strerror}: {exc.filename}" if exc.filename and exc.strerror else str(exc)


def _unusable(verb: str, target: HaltSource, exc: OSError) -> InputError:
    hint = (
        f"point {switch.HALT_FILE_ENV} at a writable path that every run sees"
        if isinstance(target, FileSource) and target.scope == "user"
        else f"set {SYSTEM_DIR_ENV} or have root run 'install -d -m 1777 {system_dir()}'"
    )
    return InputError(f"cannot {verb} the halt file {target.where} ({_cause(exc)})", hint=hint)
