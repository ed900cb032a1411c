"""``chaosml validate``: check files, run nothing; every problem of every file at once."""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.errors import ValidationError
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_file
from chaosml.substitution import parse_overrides


def validate(experiments: list[Path], var: list[str], debug: bool) -> int:
    def body() -> int:
        overrides = parse_overrides(var)
        code = ExitCode.OK
        for path in experiments:
            try:
                loaded = load_file(path, overrides)
            except ValidationError as exc:
                print(f"{path}: INVALID\n{exc.message}", file=sys.stderr)
                code = ExitCode.INVALID
                continue
            print(f"{path}: ok — {loaded.experiment.title} ({len(loaded.experiment.method)} steps)")
        return int(code)

    return guarded(body, debug)
