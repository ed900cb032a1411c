"""A halt file: the account's (scope ``user``) or the machine's (scope ``machine``).

A file that exists is a halt (its content the record, or any text as the reason); a missing
file, or one whose record says ``"halted": false``, is none. The machine's file is made
writable by every account (``0666`` in a sticky ``1777`` directory) so that whoever pulls the
lever can also clear it: clearing removes the file, or, when the sticky bit forbids that (the
file belongs to another account), writes a cleared record over it.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from chaosml.halt.record import HaltRecord, from_text, new_record
from chaosml.halt.sources import SourceUnreachable, StoredHalt


@dataclass
class FileSource(StoredHalt[str]):
    path: Path
    scope: str = field(default="user", kw_only=True)
    shared: bool = False  # the machine's file: every account may overwrite it
    local: bool = field(default=True, kw_only=True)
    noun: ClassVar[str] = "the halt file"

    @property
    def where(self) -> str:
        return str(self.path)

    def _fetch(self) -> str | None:
        try:
            return self.path.read_text(errors="replace")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SourceUnreachable(f"cannot read the halt file {self.path}: {exc}") from exc

    def _parse(self, found: str) -> HaltRecord | None:
        return from_text(found)

    def set(self, record: HaltRecord) -> None:
        self._write(record.to_json())

    def clear(self) -> bool:
        try:
            was_set = self.read() is not None
        except SourceUnreachable:  # unreadable: removing it says why (OSError)
            was_set = True
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except PermissionError:
            if not self.shared:
                raise
            cleared = new_record("cleared")
            self._write(json.dumps({"halted": False, "cleared_by": cleared.fields()}) + "\n")
        return was_set

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if self.shared else 0o644
        )
        with os.fdopen(fd, "w") as out:
            if self.shared:
                with contextlib.suppress(PermissionError):  # another account's file: as it is
                    os.fchmod(out.fileno(), 0o666)  # umask aside: every account may clear it
            out.write(text)
