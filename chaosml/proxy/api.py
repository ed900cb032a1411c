"""The control API: Toxiproxy's HTTP API (same paths, JSON shapes, status codes) plus /metrics.

| method | path | answer |
|---|---|---|
| GET | /proxies | 200 ``{name: proxy}`` |
| POST | /proxies | 201 proxy; 409 exists; 400 bad input |
| POST | /populate | 201 ``{"proxies": [...]}`` |
| GET/POST/DELETE | /proxies/{p} | 200 proxy / 200 updated / 204; 404 unknown |
| GET/POST | /proxies/{p}/toxics | 200 list / 200 created toxic; 409 exists; 400 bad input |
| GET/POST/DELETE | /proxies/{p}/toxics/{t} | 200 / 200 updated / 204; 404 unknown |
| POST | /reset | 204 |
| GET | /version | 200 ``{"version": "<semver>"}`` |
| GET | /metrics | Prometheus text |

Every answer carries an ``X-Toxiproxy-Request-Id``. Before routing, :mod:`api_guard` refuses
browsers, cross-origin requests, foreign ``Host`` names (403) and bodies over 1 MB (413).
Unknown paths answer 404 ``404 page not found`` and a wrong method 405, in plain text, as
Toxiproxy's router does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from chaosml import __version__
from chaosml.proxy import metrics
from chaosml.proxy.api_guard import BODY_TOO_LARGE, BodyTooLarge, CappedReader, check_request
from chaosml.proxy.collection import PopulateError, ProxyCollection
from chaosml.proxy.errors import (
    BAD_REQUEST_BODY,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHORIZED,
    ApiError,
)
from chaosml.proxy.http_wire import Message, WireError, read_request
from chaosml.proxy.toxics import toxic_from_json, updated

VERSION = __version__


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


def json_reply(status: int, data: Any) -> Reply:
    # allow_nan=False: never write the non-JSON NaN/Infinity (parsing refuses them too)
    return Reply(status, json.dumps(data, allow_nan=False).encode() + b"\n")


def error_reply(error: ApiError) -> Reply:
    if error.plain_text is not None:
        return Reply(error.status, error.plain_text.encode(), "text/plain; charset=utf-8")
    return json_reply(error.status, error.to_json())


Handler = Callable[[ProxyCollection, Message, list[str]], Awaitable[Reply]]


class ControlApi:
    """Routes API requests to the proxy collection; checks the token when one is set."""

    def __init__(self, collection: ProxyCollection, token: str | None = None) -> None:
        self.collection = collection
        self.token = token
        self.hosts: frozenset[str] | None = None  # the Host values accepted (api_guard)
        self.clients: set[asyncio.StreamWriter] = set()

    def close_clients(self) -> None:
        for writer in list(self.clients):
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients.add(writer)
        try:
            while True:
                if isinstance(reader, CappedReader):
                    reader.next_request()
                request = await read_request(reader)
                if request is None:
                    break
                reply = await self.handle(request)
                writer.write(_encode(reply, request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    break
        except BodyTooLarge:
            writer.write(_encode(error_reply(BODY_TOO_LARGE), keep_alive=False))
        except (WireError, OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self.clients.discard(writer)
            writer.close()

    async def handle(self, request: Message) -> Reply:
        try:
            check_request(request, self.hosts)
            self._check_token(request)
            handler, params = _route(request.method, request.path)
            return await handler(self.collection, request, params)
        except ApiError as exc:
            return error_reply(exc)

    def _check_token(self, request: Message) -> None:
        if self.token is None:
            return
        given = request.header("x-chaosml-token") or ""
        bearer = request.header("authorization") or ""
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise UNAUTHORIZED


def _body(request: Message) -> Any:
    try:
        return json.loads(
            request.body or b"null", parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except ValueError as exc:
        raise BAD_REQUEST_BODY.joined(str(exc)) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


async def _proxy_index(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, {name: proxy.to_json() for name, proxy in c.proxies.items()})


async def _proxy_create(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(201, (await c.create(_body(r))).to_json())


async def _populate(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    body = _body(r)
    if isinstance(body, dict) and "proxies" in body:
        body = body["proxies"]
    try:
        done = await c.populate(body)
    except PopulateError as exc:  # Toxiproxy's answer: the error and the proxies made before it
        shown = [proxy.to_json() for proxy in exc.done]
        return json_reply(exc.status, {**exc.to_json(), "proxies": shown})
    return json_reply(201, {"proxies": [proxy.to_json() for proxy in done]})


async def _proxy_show(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, c.get(p[0]).to_json())


async def _proxy_update(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, (await c.update(p[0], _body(r))).to_json())


async def _proxy_delete(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    await c.remove(p[0])
    return Reply(204)


async def _toxic_index(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, [t.to_json() for t in c.get(p[0]).toxics.values()])


async def _toxic_create(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    proxy = c.get(p[0])
    toxic = toxic_from_json(_body(r))
    if toxic.is_http and proxy.protocol != "http":
        raise ApiError(f"bad request body: {toxic.type} needs a proxy with protocol: http", 400)
    proxy.add_toxic(toxic)
    return json_reply(200, toxic.to_json())


async def _toxic_show(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, c.get(p[0]).toxic(p[1]).to_json())


async def _toxic_update(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    proxy = c.get(p[0])
    toxic = updated(proxy.toxic(p[1]), _body(r))
    proxy.replace_toxic(toxic)
    return json_reply(200, toxic.to_json())


async def _toxic_delete(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    c.get(p[0]).remove_toxic(p[1])
    return Reply(204)


async def _reset(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    await c.reset()
    return Reply(204)


async def _version(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    return json_reply(200, {"version": VERSION})


async def _metrics(c: ProxyCollection, r: Message, p: list[str]) -> Reply:
    text = metrics.render({name: proxy.metrics for name, proxy in c.proxies.items()})
    return Reply(200, text.encode(), "text/plain; version=0.0.4; charset=utf-8")


_SEGMENT = "([^/]+)"
_ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(r"^/proxies/?$"), {"GET": _proxy_index, "POST": _proxy_create}),
    (re.compile(r"^/populate$"), {"POST": _populate}),
    (re.compile(r"^/reset$"), {"POST": _reset}),
    (re.compile(r"^/version$"), {"GET": _version}),
    (re.compile(r"^/metrics$"), {"GET": _metrics}),
    (re.compile(rf"^/proxies/{_SEGMENT}$"),
     {"GET": _proxy_show, "POST": _proxy_update, "PATCH": _proxy_update, "DELETE": _proxy_delete}),
    (re.compile(rf"^/proxies/{_SEGMENT}/toxics$"), {"GET": _toxic_index, "POST": _toxic_create}),
    (re.compile(rf"^/proxies/{_SEGMENT}/toxics/{_SEGMENT}$"),
     {"GET": _toxic_show, "POST": _toxic_update, "PATCH": _toxic_update, "DELETE": _toxic_delete}),
]  # fmt: skip


def _route(method: str, path: str) -> tuple[Handler, list[str]]:
    for pattern, handlers in _ROUTES:
        match = pattern.match(path)
        if match is None:
            continue
        if method not in handlers:
            raise METHOD_NOT_ALLOWED
        return handlers[method], [unquote(g) for g in match.groups()]
    raise NOT_FOUND


def _encode(reply: Reply, keep_alive: bool) -> bytes:
    reason = HTTPStatus(reply.status).phrase
    head = [
        f"HTTP/1.1 {reply.status} {reason}",
        f"Content-Length: {len(reply.body)}",
        f"X-Toxiproxy-Request-Id: {secrets.token_hex(10)}",
    ]
    if reply.body:
        head.append(f"Content-Type: {reply.content_type}")
    head.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + reply.body
