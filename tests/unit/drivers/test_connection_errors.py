"""A connection failure in a few words, however deeply an HTTP library wrapped it."""

from __future__ import annotations

import errno

import requests

from chaosml.io.connection_errors import reason
from chaosml.io.ports import free_port


def test_a_refused_connection_through_requests_is_connection_refused() -> None:
    try:
        requests.get(f"http://127.0.0.1:{free_port()}/", timeout=2)
    except requests.ConnectionError as exc:
        assert reason(exc) == "connection refused"
        assert "HTTPConnectionPool" in str(exc)  # what the user no longer sees
    else:
        raise AssertionError("nothing should listen there")


def test_the_innermost_os_error_wins() -> None:
    try:
        try:
            raise OSError(errno.EHOSTUNREACH, "No route to host")
        except OSError as inner:
            raise RuntimeError("Pool(host='x'): Max retries exceeded") from inner
    except RuntimeError as outer:
        assert reason(outer) == "no route to host"


def test_a_timeout_without_an_os_reason_says_timed_out() -> None:
    assert reason(RuntimeError("Read timed out. (read timeout=2)")) == "timed out"
    assert reason(TimeoutError("timed out")) == "timed out"
