"""Chaos Toolkit ``http`` and ``process`` providers → chaosml driver parameters.

Chaos Toolkit runs a process provider whose ``arguments`` is a *string* through a shell
(``shell=True``). chaosml splits such a string into an argument list when that is the same
command (no shell syntax in it); otherwise it keeps ``shell: true`` and says so.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from chaosml.ctk.report import Outcome

SUBSTITUTION = re.compile(r"\$\{[^}]*\}")
SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\*?\[\]#~=%!{}\n\"']")
KEEP_IN_QUERY = "${}:"  # leave ${var} references readable in a query string


@dataclass
class Converted:
    params: dict[str, Any]
    notes: list[tuple[Outcome, str]] = field(default_factory=list)


def http_params(provider: dict[str, Any]) -> Converted:
    method = str(provider.get("method", "GET")).upper()
    raw_headers = provider.get("headers") or {}
    headers = (
        {str(k): str(v) for k, v in raw_headers.items()} if isinstance(raw_headers, dict) else {}
    )
    params: dict[str, Any] = {"url": str(provider.get("url", "")), "method": method}
    out = Converted(params)
    if not isinstance(raw_headers, dict):
        out.notes.append(("dropped", f"headers {raw_headers!r} are not a mapping"))
    _http_arguments(provider.get("arguments"), method, headers, out)
    if headers:
        params["headers"] = headers
    _http_timeout(provider.get("timeout"), out)
    if provider.get("verify_tls") is False:
        out.notes.append(("dropped", "verify_tls: false — chaosml always verifies TLS"))
    return out


def _http_arguments(args: Any, method: str, headers: dict[str, str], out: Converted) -> None:
    if not args:
        return
    if method == "GET":
        if not isinstance(args, dict):
            out.notes.append(("dropped", f"GET arguments {args!r} are not a mapping"))
            return
        query = _form(args)
        url = out.params["url"]
        out.params["url"] = f"{url}{'&' if '?' in url else '?'}{query}"
    elif headers.get("Content-Type") == "application/json":
        out.params["json"] = args
    elif isinstance(args, dict):
        out.params["body"] = _form(args)
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    else:
        out.params["body"] = str(args)


def _form(args: dict[str, Any]) -> str:
    """``k=v&…``, keeping ``${var}`` references readable (they are substituted at load)."""
    pairs = []
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(
                f"{quote(str(key), safe=KEEP_IN_QUERY)}={quote(str(item), safe=KEEP_IN_QUERY)}"
            )
    return "&".join(pairs)


def _http_timeout(timeout: Any, out: Converted) -> None:
    if isinstance(timeout, list | tuple) and len(timeout) == 2 and all(map(_is_number, timeout)):
        out.params["timeout"] = float(timeout[0]) + float(timeout[1])
        out.notes.append(("native", "timeout [connect, read] became their sum, per attempt"))
    elif _is_number(timeout) and float(timeout) > 0:
        out.params["timeout"] = float(timeout)
    elif timeout is not None:
        out.notes.append(("dropped", f"timeout {timeout!r} is not a number of seconds"))


def process_params(provider: dict[str, Any]) -> Converted:
    path = str(provider.get("path", ""))
    args = provider.get("arguments")
    out = Converted({})
    if isinstance(args, str):
        _string_arguments(path, args, out)
    else:
        out.params["command"] = [path, *_argument_list(args)]
    timeout: Any = provider.get("timeout")
    if _is_number(timeout) and float(timeout) > 0:
        out.params["timeout"] = float(timeout)
    return out


def _argument_list(args: Any) -> list[str]:
    """chaoslib's own flattening: a mapping gives key, value pairs; None and '' are left out."""
    if isinstance(args, dict):
        args = [part for pair in args.items() for part in pair]
    if not isinstance(args, list):
        return [] if args is None else [str(args)]
    return [str(a) for a in args if a not in (None, "")]


def _string_arguments(path: str, args: str, out: Converted) -> None:
    line = f"{path} {args}"
    if not SHELL_SYNTAX.search(SUBSTITUTION.sub("", line)):
        out.params["command"] = shlex.split(line)
        out.notes.append(("native", "string arguments split into an argument list (no shell)"))
        return
    out.params["command"] = line
    out.params["shell"] = True
    out.notes.append(
        ("native", "string arguments with shell syntax: run through /bin/sh, as Chaos Toolkit did")
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
