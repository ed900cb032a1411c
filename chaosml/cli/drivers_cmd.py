"""``chaosml drivers``."""

from __future__ import annotations

from chaosml.drivers.registry import default_registry


def drivers() -> int:
    registry = default_registry()
    for role in ("fault", "action", "probe", "target"):
        kinds = registry.kinds(role)  # type: ignore[arg-type]
        print(f"{role}s:")
        for kind in kinds:
            cls = registry.drivers[(role, kind)]  # type: ignore[index]
            print(f"  {kind:<22} {cls.summary}  [{registry.origins[(role, kind)]}]")  # type: ignore[index]
    for refused in registry.refused:
        print(f"REFUSED {refused.origin}: {refused.reason}")
    return 0
