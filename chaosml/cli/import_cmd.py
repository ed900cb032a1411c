"""``chaosml import``: a Chaos Toolkit experiment → a chaosml experiment and a conversion report.

Exit 0 when everything converted natively, 1 when something runs through a compatibility
step or was dropped, 2 when the input is not a Chaos Toolkit experiment, or holds values chaosml
refuses (an empty URL, a negative timeout): the converted experiment is checked with chaosml's
own loader before it is written, and its located problems are printed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.ctk.importer import import_file
from chaosml.errors import ValidationError
from chaosml.exit_codes import ExitCode
from chaosml.loader import load_text


def import_experiment(path: Path, output: Path | None, debug: bool) -> int:
    def body() -> int:
        imported = import_file(path)
        name = str(output) if output is not None else f"{path.stem}.chaosml.yaml"
        try:
            load_text(_placeheld(imported.text), name, environ=_EVERY_ENV, strict_vars=False)
        except ValidationError as exc:
            if output is not None:
                output.write_text(imported.text, encoding="utf-8")
            print(
                f"chaosml import: {path} converted, but the result does not validate (values "
                f"of the source chaosml refuses; fix them there or in {name}):\n{exc.message}",
                file=sys.stderr,
            )
            print(imported.converted.report.render(), file=sys.stderr)
            return int(ExitCode.INVALID)
        if output is None:
            sys.stdout.write(imported.text)
        else:
            output.write_text(imported.text, encoding="utf-8")
            print(f"wrote {output}", file=sys.stderr)
        print(imported.converted.report.render(), file=sys.stderr)
        return imported.converted.report.exit_code()

    return guarded(body, debug)


ENV_WITHOUT_DEFAULT = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
PLACEHOLDER = "http://127.0.0.1"  # what an environment reference without default is, mostly


def _placeheld(text: str) -> str:
    """The output as it is checked: an environment variable without a default stands for a
    loopback URL (Chaos Toolkit's usual base URL); one with a default takes its default."""
    return ENV_WITHOUT_DEFAULT.sub(lambda m: f"${{env:{m.group(1)}:-{PLACEHOLDER}}}", text)


class _AnyEnv(dict[str, str]):
    """Every environment variable set but empty (so defaults apply): the output is checked for
    its shape, not for this machine's environment."""

    def __missing__(self, key: str) -> str:
        return ""

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        return ""

    def __contains__(self, key: object) -> bool:
        return True


_EVERY_ENV = _AnyEnv()
