"""``chaosml halt [--clear]``: a halt file that cannot be written or removed is a clear error
naming the path (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.engine import halt as switch
from chaosml.errors import InputError


def halt(clear: bool, reason: str, debug: bool = False) -> int:
    return guarded(lambda: _clear() if clear else _set(reason), debug)


def _set(reason: str) -> int:
    try:
        path = switch.set_halt(reason)
    except OSError as exc:
        raise _unusable("write", switch.halt_file(), exc) from exc
    print(f"HALT set ({path}): running experiments abort within a second; new runs refuse")
    return 0


def _clear() -> int:
    try:
        removed = switch.clear_halt()
    except OSError as exc:
        raise _unusable("remove", switch.halt_file(), exc) from exc
    print("halt cleared" if removed else f"no halt was set ({switch.halt_file()})")
    return 0


def _unusable(verb: str, path: Path, exc: OSError) -> InputError:
    cause = f"{exc.strerror}: {exc.filename}" if exc.filename and exc.strerror else str(exc)
    return InputError(
        f"cannot {verb} the halt file {path} ({cause})",
        hint=f"point {switch.HALT_FILE_ENV} at a writable path that every run sees",
    )
