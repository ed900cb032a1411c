"""Alertmanager label matchers: ``match`` (equality), ``match_re`` (anchored regular expressions)
and ``matchers`` (``team="ml"``, ``severity=~"page|critical"``, ``env!=dev``, ``x!~"a.*"``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chaosml.errors import InputError

_MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*|"[^"]*")\s*(=~|!~|!=|=)\s*(.*?)\s*$')


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # = != =~ !~
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        have = labels.get(self.name, "")
        if self.op in ("=~", "!~"):
            found = re.fullmatch(self.value, have) is not None
            return found if self.op == "=~" else not found
        return (have == self.value) if self.op == "=" else (have != self.value)

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


def parse_matcher(text: str) -> Matcher:
    """One matcher of a ``matchers:`` list; InputError when it cannot be read."""
    found = _MATCHER.match(text)
    if not found:
        raise InputError(f'not an Alertmanager matcher: {text!r} (like team="ml")')
    name, op, value = found.groups()
    return Matcher(name.strip('"'), op, _unquote(value))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def route_matchers(route: dict[str, Any]) -> list[Matcher]:
    """Every matcher of one route of Alertmanager's configuration (all must hold)."""
    found = [Matcher(str(k), "=", str(v)) for k, v in (route.get("match") or {}).items()]
    found += [Matcher(str(k), "=~", str(v)) for k, v in (route.get("match_re") or {}).items()]
    found += [parse_matcher(str(text)) for text in route.get("matchers") or []]
    for matcher in found:
        _check_regex(matcher)
    return found


def _check_regex(matcher: Matcher) -> None:
    if matcher.op in ("=~", "!~"):
        try:
            re.compile(matcher.value)
        except re.error as exc:
            raise InputError(f"bad regular expression in matcher {matcher}: {exc}") from exc


def all_match(matchers: list[Matcher], labels: dict[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)
