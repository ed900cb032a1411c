"""A remote halt source that stops answering fails closed (docs/safety.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from chaosml.halt.board import HaltBoard
from chaosml.halt.record import HaltRecord
from chaosml.halt.sources import SourceUnreachable


@dataclass
class ScriptedSource:
    """A remote source whose answers the test scripts: a record, None, or an error."""

    answers: list[HaltRecord | str | None] = field(default_factory=list)
    scope: str = "http"
    local: bool = False
    by: str = "halt"
    where: str = "scripted"

    def read(self) -> HaltRecord | None:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, str):
            raise SourceUnreachable(answer)
        return answer

    def set(self, record: HaltRecord) -> None: ...

    def clear(self) -> bool:
        return False


def _until(board: HaltBoard, check: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_a_first_read_that_fails_is_unreachable_at_once() -> None:
    board = HaltBoard([ScriptedSource(["connection refused"])]).start()
    try:
        board.wait_answered(5)
        assert [u.error for u in board.reading().unreachable] == ["connection refused"]
    finally:
        board.stop()


def test_one_failed_poll_after_good_ones_is_tolerated_two_are_not() -> None:
    source = ScriptedSource([None, "blip", None, "down", "down"])
    board = HaltBoard([source]).start()
    try:
        board.wait_answered(5)
        assert board.reading().unreachable == []
        _until(board, lambda: board.reading().unreachable)
        assert board.reading().unreachable[0].error == "down"
    finally:
        board.stop()


def test_a_halt_in_a_remote_source_is_seen() -> None:
    board = HaltBoard([ScriptedSource([HaltRecord(reason="team halt")])]).start()
    try:
        board.wait_answered(5)
        assert board.halted()
        assert "team halt" in board.reading().active[0].message()
    finally:
        board.stop()
