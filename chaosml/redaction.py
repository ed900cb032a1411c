"""Secrets never reach an output: every form of every secret becomes ``***``.

A secret is masked in each form it takes on its way out: raw, URL-encoded (``quote``,
``quote_plus``, and requests' re-quoting of a URL, which keeps ``&`` and ``=``),
JSON-escaped, Python ``repr``-escaped (pydantic's "got '…'"), shell-quoted (``shlex.quote``)
and HTML-escaped. A numeric secret (``pin: 4242``) is masked as a number too.

Two ways in:

- ``Redactor(secrets)``, built from the secrets one run knows (the journal writer, the
  recorded command line);
- the process-wide set of every secret loaded so far (``remember``, called by the loader), for
  the sinks that cannot see a run's secrets: stdout/stderr of the CLI (``guard_streams``),
  text a driver cuts short (``clip``, ``tail``), ``ChaosMLError`` messages and validation
  problems, the target lock file (``scrub``). Code that resolves a secret without loading an
  experiment (``chaosml rollback`` resolving a reference) calls ``remember`` with it.

Text is always redacted *before* it is cut short: a cut made first can leave a part of a
secret that no redactor recognises any more.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shlex
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast
from urllib.parse import quote, quote_plus

MASK = "***"
_REQUESTS_SAFE = "!#$%&'()*+,/:;=?@[]~"  # what requests.utils.requote_uri leaves unquoted


def forms(secret: str) -> set[str]:
    """Every spelling of ``secret`` an output may carry."""
    spelled = {
        secret,
        *_url_forms(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        shlex.quote(secret),
        html.escape(secret),
    }
    return {s for s in spelled if s}


def _url_forms(secret: str) -> set[str]:
    """``secret`` URL-encoded as ``quote``, ``quote_plus`` and requests do it."""
    encoded = secret.encode("utf-8", "surrogatepass")  # lone surrogates too
    return {
        quote(encoded, safe=""),
        quote(encoded, safe="/"),
        quote(encoded, safe=_REQUESTS_SAFE),
        quote_plus(encoded),
        quote_plus(encoded, safe=_REQUESTS_SAFE),
    }


class Redactor:
    def __init__(self, secrets: Iterable[Any] | None = None) -> None:
        raw = {str(s) for s in secrets or [] if s is not None and str(s)}
        # longest first, so a secret that contains another is masked whole
        self.secrets = sorted(raw, key=len, reverse=True)
        spelled = sorted({f for s in raw for f in forms(s)}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, spelled))) if spelled else None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(MASK, value)

    def __call__(self, value: Any) -> Any:
        if not self.secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return MASK if self._is_secret_number(value) else value
        return value

    def _is_secret_number(self, value: float) -> bool:
        """A number whose spelling is a secret (4242 and 4242.0 for the secret "4242")."""
        whole = isinstance(value, float) and value.is_integer()
        return str(value) in self.secrets or (whole and str(int(value)) in self.secrets)

    def clip(self, text: str, limit: int, marker: str = "...") -> str:
        """``text`` redacted, then cut to ``limit`` characters (``marker`` included)."""
        text = self.text(text)
        if len(text) <= limit:
            return text
        return text[: max(0, limit - len(marker))] + marker


# -- the process-wide set of loaded secrets ----------------------------------------------------
_known: set[str] = set()
_cache: list[Redactor] = [Redactor()]


def remember(secrets: Iterable[Any]) -> None:
    """Add the secrets of a loaded experiment to what every process-wide sink masks."""
    new = {str(s) for s in secrets if s is not None and str(s)} - _known
    if new:
        _known.update(new)
        _cache[0] = Redactor(_known)


def forget_all() -> None:
    """Empty the process-wide set (for tests)."""
    _known.clear()
    _cache[0] = Redactor()


def known() -> Redactor:
    """A redactor for every secret loaded in this process."""
    return _cache[0]


def scrub(value: Any) -> Any:
    """``value`` with every secret loaded in this process masked."""
    return known()(value)


def clip(text: str, limit: int, marker: str = "...") -> str:
    """Redact every loaded secret, then cut ``text`` to ``limit`` characters."""
    return known().clip(text, limit, marker)


def tail(text: str, limit: int) -> str:
    """Redact every loaded secret, then keep the last ``limit`` characters of ``text``."""
    return known().text(text)[-limit:]


class _RedactingStream:
    """A text stream that masks every loaded secret in what is written through it."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(known().text(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextlib.contextmanager
def guard_streams() -> Iterator[None]:
    """While the block runs, stdout and stderr mask every loaded secret (tracebacks, error
    lines, the live view, plans: whatever writes there)."""
    saved = sys.stdout, sys.stderr
    if not isinstance(saved[0], _RedactingStream):
        sys.stdout = cast(TextIO, _RedactingStream(saved[0]))
    if not isinstance(saved[1], _RedactingStream):
        sys.stderr = cast(TextIO, _RedactingStream(saved[1]))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def url_without_password(url: str) -> str:
    """``url`` with the password of its user part (``user:PASSWORD@host``) replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
