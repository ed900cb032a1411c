"""The one place chaosml imports ``requests``; its errors become chaosml errors here.

Used by every driver that speaks HTTP (http probe, alert and metrics probes, the proxy client).
"""

from __future__ import annotations

import functools
import json as jsonlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosml import cancellation, redaction
from chaosml.errors import DriverError, InfrastructureError
from chaosml.io import connection_errors

if TYPE_CHECKING:
    import requests

# requests and tenacity are imported by the first request (local imports below), not with this
# module: together they cost ~80 ms of CPU, and most commands that import a driver send nothing.


@functools.cache
def _shared_session() -> requests.Session:
    """The session of requests that name no session of their own (connection reuse)."""
    import requests

    return requests.Session()


def new_session(
    headers: dict[str, str],
    verify: bool | str,
    cert: str | tuple[str, str] | None = None,
    *,
    quiet_insecure: bool = False,
) -> Any:
    """A session of its own (a monitoring source's auth, headers and TLS: io/monitoring_http);
    the caller closes it. ``quiet_insecure``: no per-request warning for an unverified source
    (the run says so once, in the journal)."""
    import requests

    built = requests.Session()
    built.headers.update(headers)
    built.verify = verify
    if cert is not None:
        built.cert = cert
    if quiet_insecure:
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return built


@dataclass
class HttpResponse:
    status: int
    text: str
    elapsed_s: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The parsed body, or None when it is not JSON."""
        try:
            return jsonlib.loads(self.text)
        except ValueError:
            return None


class _Transient(InfrastructureError):
    """A connection error or timeout that a retry may cure."""


class TlsError(InfrastructureError):
    """The TLS handshake failed (certificate not verified, …): no retry cures it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
    retries: int = 0,
    session: Any = None,
) -> HttpResponse:
    """Send one request; retry connection errors and timeouts ``retries`` times with backoff.

    Raises InfrastructureError naming the URL when it cannot be reached. The timeout never runs
    past the deadline of the driver call this runs in. ``session``: a monitoring source's own
    (``monitoring_http.session``: auth, headers, TLS); a failed TLS check is TlsError.
    """
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

    timeout = cancellation.seconds_left(timeout)
    attempt = retry(
        retry=retry_if_exception_type(_Transient),
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        reraise=True,
    )(_send_once)
    try:
        return attempt(method, url, json, body, headers, timeout, session)
    except _Transient as exc:
        raise InfrastructureError(exc.message, hint=exc.hint) from exc.__cause__


def _send_once(
    method: str,
    url: str,
    json: Any,
    body: str | bytes | None,
    headers: dict[str, str] | None,
    timeout: float,
    session: requests.Session | None,
) -> HttpResponse:
    import requests

    started = time.perf_counter()
    try:
        # verify given per request: requests would let REQUESTS_CA_BUNDLE override the session's
        resp = (session or _shared_session()).request(
            method.upper(),
            url,
            json=json,
            data=body,
            headers=headers,
            timeout=timeout,
            verify=None if session is None else session.verify,
        )
    except requests.exceptions.SSLError as exc:
        reason = connection_errors.tls_reason(exc) or connection_errors.reason(exc)
        raise TlsError(f"TLS with {url} failed: {reason}", reason) from exc
    except requests.Timeout as exc:
        raise _Transient(f"{method.upper()} {url} timed out after {timeout:g}s") from exc
    except requests.ConnectionError as exc:
        raise _Transient(
            f"cannot reach {url}: {connection_errors.reason(exc)}",
            hint="is the service running and the URL right?",
        ) from exc
    except requests.RequestException as exc:
        raise DriverError(f"{method.upper()} {url} failed: {_short(exc)}") from exc
    elapsed = time.perf_counter() - started
    return HttpResponse(resp.status_code, resp.text, elapsed, dict(resp.headers))


def _short(exc: Exception) -> str:
    text = str(exc)
    return redaction.clip(text, 203)
