"""Catch ChaosMLError once: print ``Type: message`` plus what to do; --debug shows the traceback."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from chaosml.errors import ChaosMLError
from chaosml.exit_codes import exit_code_for

T = TypeVar("T")


def guarded(func: Callable[[], int], debug: bool) -> int:
    """Run a command body; map chaosml's own errors to exit codes and a readable message."""
    try:
        return func()
    except ChaosMLError as exc:
        if debug:
            traceback.print_exc()
        print(f"{type(exc).__name__}: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  → {exc.hint}", file=sys.stderr)
        return int(exit_code_for(exc))
