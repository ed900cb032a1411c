"""``chaosml drivers``."""

from __future__ import annotations

from chaosml.drivers.registry import default_registry


def drivers() -> int:
    registry = default_registry()
    registry.load_all()
    registry.load_all()
    for role in ("fault", "action", "probe", "target"):
        kinds = registry.kinds(role)
        print(f"{role}s:")
        for kind in kinds:
            cls = registry.driver_class(role, kind)
            print(f"  {kind:<22} {cls.summary}  [{registry.origins[(role, kind)]}]")
    for refused in registry.refused:
        print(f"REFUSED {refused.origin}: {refused.reason}")
    return 0
