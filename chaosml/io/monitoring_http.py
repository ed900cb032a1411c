"""Speaking to a monitoring source as its connection block says (``chaosml.contract.connection``):
the session (auth, headers, TLS), the TLS context for a bare ``http.client``, and the one place
its refusals are worded: 401/403 → "Prometheus at URL refused the credentials (401)" (vmauth's
400 for an unknown token too), a TLS failure → the verification error and the CA file used
(both exit 5, docs/monitoring-sources.md).
"""

from __future__ import annotations

import ssl
from typing import Any

from chaosml.contract.connection import (
    DOCS,
    Connection,
    Tls,
    ca_used,
    request_headers,
    verify_setting,
)
from chaosml.errors import InfrastructureError
from chaosml.io import http_client

REFUSED = (401, 403)
# vmauth before 1.80 answers an unknown token with 400 and this text (later versions: 401)
_UNKNOWN_TOKEN = "cannot find the provided auth token"


def session(conn: Connection) -> Any:
    """An HTTP session that speaks to the source as its block says (the caller closes it)."""
    tls = conn.tls
    cert: str | tuple[str, str] | None = None
    if tls is not None and tls.cert_file is not None:
        cert = (tls.cert_file, tls.key_file) if tls.key_file else tls.cert_file
    return http_client.new_session(
        request_headers(conn), verify_setting(conn), cert, quiet_insecure=conn.insecure
    )


def ssl_context(conn: Connection) -> ssl.SSLContext:
    """The TLS settings of the block for a bare ``http.client`` connection (clock offsets)."""
    tls = conn.tls or Tls()
    context = ssl.create_default_context(cafile=tls.ca_file)
    if tls.insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.cert_file is not None:
        context.load_cert_chain(tls.cert_file, tls.key_file)
    return context


def is_refusal(status: int, body: str) -> bool:
    """Did the source refuse the credentials? 401, 403, or vmauth's 400 for an unknown token."""
    return status in REFUSED or (status == 400 and _UNKNOWN_TOKEN in body)


class SourceRefused(InfrastructureError):
    """The source refused the credentials, or its TLS certificate failed the check: a fault of
    the connection block, never of the system under test."""


def refused(what: str, conn: Connection, status: int) -> SourceRefused:
    return SourceRefused(
        f"{what} at {conn.base_url} refused the credentials ({status})",
        hint=f"check the auth of this source (user, password or token); see {DOCS}",
    )


def tls_failed(what: str, conn: Connection, reason: str) -> SourceRefused:
    return SourceRefused(
        f"TLS verification of {what} at {conn.base_url} failed: {reason} (using {ca_used(conn)})",
        hint=f"give the CA that signed the server's certificate as tls.ca_file; see {DOCS}",
    )


def request(
    what: str,
    conn: Connection,
    method: str,
    path: str,
    *,
    timeout: float = 5.0,
    retries: int = 0,
    json: Any = None,
    body: str | None = None,
) -> http_client.HttpResponse:
    """One request to the source; a refused credential or failed TLS check is an
    InfrastructureError worded for a person."""
    built = session(conn)
    try:
        resp = http_client.request(
            method,
            conn.endpoint(path),
            json=json,
            body=body,
            timeout=timeout,
            retries=retries,
            session=built,
        )
    except http_client.TlsError as exc:
        raise tls_failed(what, conn, exc.reason) from exc
    finally:
        built.close()
    if is_refusal(resp.status, resp.text):
        raise refused(what, conn, resp.status)
    return resp
