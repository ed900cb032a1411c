"""``chaosml.toml``: settings for every run and game day on a host or in a project.

Found as ``CHAOSML_CONFIG`` (that file only; it must exist), else ``./chaosml.toml`` (the
project: the working directory), else ``/etc/chaosml/chaosml.toml``; none is fine (defaults).
A file that does not parse or validate is an input error naming the file, the line and the
key (exit 2). docs/safety.md describes the keys::

    [halt]
    urls = ["postgresql://chaos@db/chaos", "k8s://chaos/chaosml-halt"]
    source_unreachable = "abort"        # or "warn"

    [[stop_conditions]]
    name = "production pages"
    alertmanager = "http://alertmanager:9093"
    matchers = { severity = "page" }
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosml.errors import InputError, Problem, ValidationError
from chaosml.model.problems import Collector
from chaosml.yaml_source import Loc, Source

CONFIG_ENV = "CHAOSML_CONFIG"
PROJECT_FILE = Path("chaosml.toml")
SYSTEM_FILE = Path("/etc/chaosml/chaosml.toml")
Policy = Literal["abort", "warn"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HaltSettings(_Strict):
    urls: list[str] = Field(default_factory=list)
    source_unreachable: Policy | None = None


class StopCondition(_Strict):
    name: str = Field(min_length=1)
    alertmanager: str = Field(pattern=r"^https?://")
    matchers: dict[str, str] = Field(min_length=1)


class ChaosConfig(_Strict):
    halt: HaltSettings = Field(default_factory=HaltSettings)
    stop_conditions: list[StopCondition] = Field(default_factory=list)


def config_path() -> Path | None:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    for candidate in (PROJECT_FILE, SYSTEM_FILE):
        if candidate.is_file():
            return candidate
    return None


def load_config() -> ChaosConfig:
    """The config in force; ``InputError`` (exit 2) for a file that is missing when named,
    unreadable, or wrong."""
    path = config_path()
    if path is None:
        return ChaosConfig()
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(
            f"cannot read the config file {path}: {exc.strerror or exc}",
            hint=f"fix or unset {CONFIG_ENV}" if os.environ.get(CONFIG_ENV) else "",
        ) from None
    return parse_config(text, str(path))


def parse_config(text: str, file: str) -> ChaosConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _AT.search(str(exc))
        line, column = (int(at.group(1)), int(at.group(2))) if at else (None, None)
        message = f"not valid TOML: {_AT.sub('', str(exc)).strip()}"
        raise ValidationError([Problem("", message, file, line, column)]) from None
    collector = Collector(Source(data, file, _marks(text)))
    config = collector.validate(ChaosConfig, data, ())
    if config is None:
        raise ValidationError(collector.problems)
    return config


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TABLE = re.compile(r"^\s*(\[\[?)\s*([\w.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([\w-]+)\s*=")


def _marks(text: str) -> dict[Loc, tuple[int, int]]:
    """Where each table and key stands (line, column), for located problems."""
    marks: dict[Loc, tuple[int, int]] = {}
    table: Loc = ()
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if found := _TABLE.match(line):
            name = found.group(2)
            if found.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = (name, counts[name])
            else:
                table = tuple(name.split("."))
            marks.setdefault(table, (number, 1))
        elif found := _KEY.match(line):
            marks.setdefault((*table, found.group(1)), (number, found.start(1) + 1))
    return marks
