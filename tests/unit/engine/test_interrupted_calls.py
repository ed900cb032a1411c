"""A driver call abandoned by an interrupt finishes later in its thread: no asyncio noise."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading

import pytest

from chaosml.engine.threads import call_blocking
from chaosml.errors import DriverError


def test_an_error_after_the_caller_was_cancelled_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = threading.Event()
    reported = threading.Event()

    def killed_command() -> None:
        release.wait(5)
        reported.set()
        raise DriverError("the command was killed (-9)")

    async def interrupted() -> None:
        task = asyncio.create_task(call_blocking(killed_command, 30, "apply"))
        await asyncio.sleep(0.01)
        task.cancel()  # the signal cancels the step
        with contextlib.suppress(asyncio.CancelledError):
            await task
        release.set()
        reported.wait(5)
        await asyncio.sleep(0.05)  # the thread's error reaches the loop

    asyncio.run(interrupted())
    gc.collect()
    assert "never retrieved" not in caplog.text and "Traceback" not in caplog.text
