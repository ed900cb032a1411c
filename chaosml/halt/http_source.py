"""A halt served over HTTP(S): any service that answers the halt protocol (docs/safety.md).

- ``GET URL`` -> ``200`` with a JSON object ``{"halted": true|false, "reason": …, "user": …,
  "host": …, "at": …}`` (only ``halted`` is required); ``404`` means no halt. Any other status, a
  body that is not such an object, or no answer within the timeout: the source is unreachable.
- ``chaosml halt`` sends ``PUT URL`` with the record (``"halted": true``); ``--clear`` sends
  ``DELETE URL``. A read-only service may refuse both (the error names the status).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chaosml import redaction
from chaosml.halt.record import HaltRecord, from_mapping
from chaosml.halt.sources import SourceUnreachable, StoredHalt
from chaosml.io import http_client

READ_TIMEOUT_S = 1.0
WRITE_TIMEOUT_S = 5.0


@dataclass
class HttpSource(StoredHalt[http_client.HttpResponse]):
    url: str
    scope: str = field(default="http", kw_only=True)
    noun: ClassVar[str] = "the halt URL"

    @property
    def where(self) -> str:
        return redaction.url_without_password(self.url)

    def _fetch(self) -> http_client.HttpResponse | None:
        response = self._send("GET", READ_TIMEOUT_S)
        return None if response.status == 404 else response

    def _parse(self, found: http_client.HttpResponse) -> HaltRecord | None:
        body = found.json()
        if found.status != 200 or not isinstance(body, dict) or "halted" not in body:
            raise SourceUnreachable(
                f"the halt URL {self.where} answered {found.status} without "
                '{"halted": true|false}'
            )
        return from_mapping(body)

    def set(self, record: HaltRecord) -> None:
        self._expect_ok(self._send("PUT", WRITE_TIMEOUT_S, {"halted": True, **record.fields()}))

    def clear(self) -> bool:
        response = self._send("DELETE", WRITE_TIMEOUT_S)
        if response.status == 404:
            return False
        self._expect_ok(response)
        return True

    def _send(self, method: str, timeout: float, json: object = None) -> http_client.HttpResponse:
        return self._reach(
            lambda: http_client.request(method, self.url, json=json, timeout=timeout)
        )

    def _expect_ok(self, response: http_client.HttpResponse) -> None:
        if not 200 <= response.status < 300:
            raise SourceUnreachable(f"the halt URL {self.where} refused: HTTP {response.status}")
