"""A connection failure in a few words: the root cause buried in an HTTP library's exception.

    reason(exc)   # "connection refused", "timed out", "name or service not known", …

requests wraps urllib3, which wraps the socket error, and each layer repeats the host and port
in its text; a user needs the innermost cause once.
"""

from __future__ import annotations

_TIMEOUT_WORDS = ("timed out", "timeout")


def reason(exc: BaseException) -> str:
    """The innermost operating-system reason (lower case), else the exception's own text."""
    for inner in _chain(exc):
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror.lower()
    text = str(exc)
    if any(word in text.lower() for word in _TIMEOUT_WORDS):
        return "timed out"
    return text if len(text) < 200 else text[:200] + "…"


def tls_reason(exc: BaseException) -> str | None:
    """The TLS failure inside ``exc`` ("certificate verify failed: unable to get local issuer
    certificate"), or None when it is no TLS failure."""
    import ssl  # local: loaded by the HTTP library that raised; ~10 ms for commands that send none

    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError) and inner.verify_message:
            return f"certificate verify failed: {inner.verify_message}"
        if isinstance(inner, ssl.SSLError):
            return str(inner.reason or inner).lower().replace("_", " ")
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (cause, context, exception arguments, urllib3's ``reason``),
    innermost first."""
    seen: list[BaseException] = []
    pending = [exc]
    while pending:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner += list(current.args)
        pending += [e for e in inner if isinstance(e, BaseException)]
    return seen[::-1]
