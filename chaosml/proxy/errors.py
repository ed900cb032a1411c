"""The control API's errors, with Toxiproxy's messages and status codes."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer the control API gives as ``{"error": message, "status": code}``."""

    def __init__(self, message: str, status: int, *, plain_text: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.plain_text = plain_text  # answered as text/plain instead of JSON (router errors)

    def to_json(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status}

    def joined(self, detail: str) -> ApiError:
        return ApiError(f"{self.message}: {detail}", self.status)


BAD_REQUEST_BODY = ApiError("bad request body", 400)
MISSING_FIELD = ApiError("missing required field", 400)
PROXY_NOT_FOUND = ApiError("proxy not found", 404)
PROXY_EXISTS = ApiError("proxy already exists", 409)
INVALID_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
INVALID_TOXIC_TYPE = ApiError("invalid toxic type", 400)
TOXIC_EXISTS = ApiError("toxic already exists", 409)
TOXIC_NOT_FOUND = ApiError("toxic not found", 404)
NOT_FOUND = ApiError("not found", 404, plain_text="404 page not found\n")
METHOD_NOT_ALLOWED = ApiError("method not allowed", 405, plain_text="")
UNAUTHORIZED = ApiError("missing or wrong token", 401)
