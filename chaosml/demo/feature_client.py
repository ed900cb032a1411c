"""The model server's client for the feature service (stdlib urllib: the demo stands alone)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from chaosml.demo.feature_service import VERSION_HEADER


@dataclass(frozen=True)
class FetchedFeatures:
    payload: dict[str, Any]
    version: str | None  # the X-Feature-Service-Version header, when present


class FeatureFetchError(Exception):
    """The features could not be fetched. ``reason`` is a metric label, ``status`` our answer."""

    def __init__(self, message: str, reason: str, status: int) -> None:
        super().__init__(message)
        self.reason, self.status = reason, status


def fetch(base_url: str, entity_id: int, timeout: float) -> FetchedFeatures:
    url = f"{base_url.rstrip('/')}/features/{entity_id}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body, version = resp.read(), resp.headers.get(VERSION_HEADER)
    except urllib.error.HTTPError as exc:
        raise _http_error(url, exc) from exc
    except TimeoutError as exc:
        raise FeatureFetchError(f"{url} timed out after {timeout:g}s", "timeout", 504) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FeatureFetchError(f"cannot reach {url}: {exc}", "unreachable", 502) from exc
    return FetchedFeatures(_decode(url, body), version)


def _http_error(url: str, exc: urllib.error.HTTPError) -> FeatureFetchError:
    if exc.code == 404:
        return FeatureFetchError(f"{url}: unknown entity", "not_found", 404)
    return FeatureFetchError(f"{url} answered {exc.code}", "upstream_status", 502)


def _decode(url: str, body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise FeatureFetchError(f"{url} sent a body that is not JSON", "bad_response", 502) from exc
    if not isinstance(payload, dict):
        raise FeatureFetchError(f"{url} sent JSON that is not an object", "bad_response", 502)
    return payload
