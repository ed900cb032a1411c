"""A driver call's SDK timeouts end by the call's deadline: a call to a backend that never
answers gives up by itself soon after its step's timeout instead of running on (issue 12 §2)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from chaosml.engine.threads import RunCalls
from chaosml.errors import DriverError
from chaosml.io import http_client, subprocesses


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/"


def _run_past_its_timeout(work: Callable[[], object], timeout: float) -> tuple[float, object]:
    """Start ``work`` as a driver call bounded by ``timeout``, then time how long its thread
    ran. The engine's wait and the SDK's timeout end at the same moment: either may say so."""

    async def main() -> tuple[float, object]:
        calls = RunCalls("test")
        call = calls.start(work, timeout, "work")
        with pytest.raises(DriverError):  # CallTimeout, or the SDK's own timeout
            await calls.result(call)
        assert await call.finish(10.0), "the call's thread is still running"
        assert call.ended is not None
        return call.ended - call.started, call.error

    return asyncio.run(main())


def test_an_http_request_ends_by_its_calls_deadline(silent_server: str) -> None:
    ran, error = _run_past_its_timeout(
        lambda: http_client.request("GET", silent_server, timeout=30.0), 0.5
    )
    assert ran < 2.0  # not the request's own 30 s
    assert isinstance(error, DriverError) and "timed out" in error.message


def test_a_command_is_killed_at_its_calls_deadline() -> None:
    began = time.monotonic()
    ran, error = _run_past_its_timeout(lambda: subprocesses.run(["sleep", "30"]), 0.5)
    assert ran < 2.0 and time.monotonic() - began < 5.0
    assert isinstance(error, DriverError) and "timed out" in error.message
