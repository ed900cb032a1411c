"""``chaosml halt [--clear]``."""

from __future__ import annotations

from chaosml.engine import halt as switch


def halt(clear: bool, reason: str) -> int:
    if clear:
        removed = switch.clear_halt()
        print("halt cleared" if removed else f"no halt was set ({switch.halt_file()})")
        return 0
    path = switch.set_halt(reason)
    print(f"HALT set ({path}): running experiments abort within a second; new runs refuse")
    return 0
