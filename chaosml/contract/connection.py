"""How chaosml reaches a monitoring source: URL, auth, headers, TLS and path prefix (issue 24).

One block, the same for every monitoring source — the ``prometheus`` and ``metrics`` probes
(and so guards and observe), alert sources of the ``alert`` probe, ``expect_alert`` and
``recovery.alerts_resolve``, the Pushgateway and Grafana observers::

    url: https://prometheus.staging.example:9090
    auth: {basic: {username: drill, password: "${pw}"}}   # or {bearer: "${token}"}
    headers: {X-Scope-OrgID: ml-team}
    tls: {ca_file: certs/ca.pem, cert_file: c.pem, key_file: k.pem, insecure_skip_verify: false}
    path_prefix: /prometheus

Declared once under ``sources:`` and referenced by name wherever a URL goes (a bare URL keeps
working); keys given beside a name replace the source's. Relative TLS files are read from the
experiment's folder. Passwords, tokens and Authorization headers are secrets (``secrets_in``):
the loader has every output redact them.

This module is the block as data (shared by the model, the drivers and the observers);
``chaosml.io.monitoring_http`` speaks to a source as its block says and words its refusals.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, model_validator

from chaosml.contract.params import Params

URL_PATTERN = r"^https?://"
DOCS = "docs/monitoring-sources.md"


@dataclass(frozen=True)
class _Declared:
    """What validation of one experiment knows: its ``sources:`` and its folder."""

    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    folder: str = ""


_declared: ContextVar[_Declared | None] = ContextVar("chaosml_sources", default=None)


def _current() -> _Declared:
    return _declared.get() or _Declared()


@contextlib.contextmanager
def declared(sources: Mapping[str, Mapping[str, Any]], folder: str) -> Iterator[None]:
    """While the block runs, connection blocks may name these sources; relative TLS files are
    read from ``folder`` (the loader wraps an experiment's validation in it)."""
    token = _declared.set(_Declared(dict(sources), folder))
    try:
        yield
    finally:
        _declared.reset(token)


class BasicAuth(Params):
    username: str = Field(min_length=1)
    password: str = Field(repr=False)


class Auth(Params):
    """Exactly one of ``basic: {username, password}`` or ``bearer: TOKEN``."""

    basic: BasicAuth | None = None
    bearer: str | None = Field(default=None, min_length=1, repr=False)

    @model_validator(mode="after")
    def _exactly_one(self) -> Auth:
        if (self.basic is None) == (self.bearer is None):
            raise ValueError("give exactly one of basic: {username, password} or bearer: TOKEN")
        return self


def _existing_file(path: str | None) -> str | None:
    if path is None:
        return None
    full = os.path.join(_current().folder, os.path.expanduser(path))
    if not os.path.isfile(full):
        raise ValueError(f"no such file: {full}")
    return os.path.abspath(full)


TlsFile = Annotated[str | None, BeforeValidator(_existing_file)]


class Tls(Params):
    ca_file: TlsFile = None  # the CA that signed the server's certificate (PEM)
    cert_file: TlsFile = None  # a client certificate (mutual TLS), with key_file
    key_file: TlsFile = None
    insecure_skip_verify: bool = False  # no certificate check at all: warned in run and report

    @model_validator(mode="after")
    def _pairs(self) -> Tls:
        if self.key_file is not None and self.cert_file is None:
            raise ValueError("key_file needs cert_file (the client certificate)")
        return self


def _url_or_name(schema: dict[str, Any]) -> None:
    """In the JSON Schema ``url`` is any string: a source's name is resolved before the check."""
    schema.pop("pattern", None)
    schema["description"] = "an http(s) URL, or the name of a source declared under sources:"


# in the JSON Schema: a URL or source name (a string) or a whole block (``$defs/Connection``)
REF_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "object"}],
    "description": "an http(s) URL, a source's name, or a connection block ($defs/Connection)",
}


class Connection(Params):
    """A monitoring source's connection block (see the module docstring)."""

    url: str = Field(pattern=URL_PATTERN, json_schema_extra=_url_or_name)
    auth: Auth | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    tls: Tls | None = None
    path_prefix: str = Field(default="", pattern=r"^(/[^?#]*)?$")

    @model_validator(mode="before")
    @classmethod
    def _named_source(cls, data: Any) -> Any:
        """``url: NAME`` takes the source declared under ``sources:``; keys beside it win."""
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            return data
        name = data["url"]
        if name.startswith(("http://", "https://")) or "${" in name:
            return data
        return {**_source(name), **{k: v for k, v in data.items() if k != "url"}}

    @property
    def base_url(self) -> str:
        """The URL the API paths hang from: ``url`` plus ``path_prefix``."""
        return self.url.rstrip("/") + self.path_prefix.rstrip("/")

    def endpoint(self, path: str) -> str:
        return self.base_url + path

    @property
    def insecure(self) -> bool:
        return self.tls is not None and self.tls.insecure_skip_verify


def _source(name: str) -> Mapping[str, Any]:
    sources = _current().sources
    if name in sources:
        return sources[name]
    close = difflib.get_close_matches(name, list(sources), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    shown = ", ".join(sources) or "none"
    raise ValueError(
        f"'{name}' is neither an http(s) URL nor a source declared under sources: "
        f"(declared: {shown}){hint}"
    )


def _as_block(value: Any) -> Any:
    """A bare string (URL or source name) is the block ``{url: value}``."""
    return {"url": value} if isinstance(value, str) else value


def as_connection(value: str | Connection) -> Connection:
    """A connection from a bare URL (an environment variable's) or the block itself."""
    return value if isinstance(value, Connection) else Connection(url=value)


# A field holding a connection: a URL, a source's name or a whole block.
ConnectionRef = Annotated[Connection, BeforeValidator(_as_block), WithJsonSchema(REF_SCHEMA)]


def connections_in(value: Any) -> list[Connection]:
    """Every connection block inside a model (an experiment, a step, a probe), in order."""
    if isinstance(value, Connection):
        return [value]
    if isinstance(value, BaseModel):
        return [
            c for name in type(value).model_fields for c in connections_in(getattr(value, name))
        ]
    if isinstance(value, list | tuple):
        return [c for item in value for c in connections_in(item)]
    if isinstance(value, dict):
        return [c for item in value.values() for c in connections_in(item)]
    return []


def secrets_in(doc: Any) -> list[str]:
    """The secrets of every connection block in a (substituted) experiment document: before
    validation, whose messages may quote them."""
    if isinstance(doc, list):
        return [s for item in doc for s in secrets_in(item)]
    if not isinstance(doc, dict):
        return []
    found = [s for value in doc.values() for s in secrets_in(value)]
    auth, headers = doc.get("auth"), doc.get("headers")
    if isinstance(auth, dict):
        found += _auth_secrets(auth)
    if "url" in doc and isinstance(headers, dict):
        found += [str(v) for k, v in headers.items() if str(k).lower() == "authorization" and v]
    return found


def _auth_secrets(auth: dict[str, Any]) -> list[str]:
    found = [str(auth["bearer"])] if auth.get("bearer") else []
    basic = auth.get("basic")
    if isinstance(basic, dict) and basic.get("password"):
        password = str(basic["password"])
        user = str(basic.get("username", ""))
        found += [
            password,
            _basic_credential(BasicAuth.model_construct(username=user, password=password)),
        ]
    return found


def _basic_credential(basic: BasicAuth) -> str:
    return base64.b64encode(f"{basic.username}:{basic.password}".encode()).decode()


def request_headers(conn: Connection) -> dict[str, str]:
    """The headers every request to the source carries (tenant, auth)."""
    headers = dict(conn.headers)
    if conn.auth is not None and conn.auth.bearer is not None:
        headers["Authorization"] = f"Bearer {conn.auth.bearer}"
    if conn.auth is not None and conn.auth.basic is not None:
        headers["Authorization"] = f"Basic {_basic_credential(conn.auth.basic)}"
    return headers


def verify_setting(conn: Connection) -> bool | str:
    """requests' ``verify``: the CA file, False when verification is skipped, else True."""
    if conn.tls is None:
        return True
    if conn.tls.insecure_skip_verify:
        return False
    return conn.tls.ca_file or True


def ca_used(conn: Connection) -> str:
    if conn.tls is not None and conn.tls.ca_file:
        return f"CA file {conn.tls.ca_file}"
    return "the system's CA certificates (no tls.ca_file given)"


def insecure_warning(what: str, conn: Connection) -> str:
    return (
        f"TLS certificate verification is OFF for {what} at {conn.base_url} "
        "(tls.insecure_skip_verify: true): anyone on the path can read the credentials"
    )
