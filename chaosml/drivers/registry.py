"""Driver registry: built-ins from an explicit list, plugins from the ``chaosml.drivers`` group.

Every driver class is verified when it registers (pluggy-style): a driver with a bad contract is
refused with a message naming it, and the rest still load. ``CHAOSML_DISABLE_PLUGIN_AUTOLOAD=1``
turns third-party loading off.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from chaosml.contract.catalogue import Role
from chaosml.contract.params import Params
from chaosml.drivers.base import (
    ActionDriver,
    Driver,
    FaultDriver,
    ProbeDriver,
    TargetDriver,
    declared_params,
)
from chaosml.drivers.builtins import BUILTIN_DRIVERS
from chaosml.errors import InputError

ENTRY_POINT_GROUP = "chaosml.drivers"
DISABLE_AUTOLOAD_ENV = "CHAOSML_DISABLE_PLUGIN_AUTOLOAD"
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_ROLE_BASES: dict[str, type[Driver[Any]]] = {
    "fault": FaultDriver,
    "action": ActionDriver,
    "probe": ProbeDriver,
    "target": TargetDriver,
}


@dataclass(frozen=True)
class RefusedDriver:
    origin: str  # "module:Class" or the entry point's name
    reason: str


@dataclass
class Registry:
    drivers: dict[tuple[Role, str], type[Driver[Any]]] = field(default_factory=dict)  # loaded
    origins: dict[tuple[Role, str], str] = field(default_factory=dict)
    refused: list[RefusedDriver] = field(default_factory=list)
    lazy: dict[tuple[Role, str], str] = field(default_factory=dict)  # declared, not yet imported
    instances: dict[type[Driver[Any]], Driver[Any]] = field(
        default_factory=dict
    )  # this registry's own

    def register(self, cls: object, origin: str) -> None:
        problems = verify_driver(cls)
        if problems:
            self.refused.append(RefusedDriver(origin, "; ".join(problems)))
            return
        assert isinstance(cls, type) and issubclass(cls, Driver)
        key = (cls.role, cls.kind)
        if key in self.drivers or (key in self.lazy and self.lazy[key] != origin):
            holder = self.origins.get(key) or self.lazy[key]
            self.refused.append(
                RefusedDriver(origin, f"{cls.role} '{cls.kind}' already registered by {holder}")
            )
            return
        self.lazy.pop(key, None)
        self.drivers[key] = cls
        self.origins[key] = origin

    def declare(self, role: Role, kind: str, spec: str) -> None:
        """A built-in known by its kind; its module is imported on first use."""
        if (role, kind) not in self.drivers:
            self.lazy[(role, kind)] = spec

    def kinds(self, role: Role) -> list[str]:
        return sorted({kind for (r, kind) in [*self.drivers, *self.lazy] if r == role})

    def has(self, role: Role, kind: str) -> bool:
        return (role, kind) in self.drivers or (role, kind) in self.lazy

    def driver_class(self, role: Role, kind: str) -> type[Driver[Any]]:
        """The class registered for (role, kind), importing it now if it was only declared."""
        key = (role, kind)
        if key in self.lazy:
            self._load(key, self.lazy[key])
        try:
            return self.drivers[key]
        except KeyError:
            why = next((r.reason for r in self.refused if r.origin == self.origins.get(key)), "")
            suffix = f": {why}" if why else ""
            raise InputError(f"no {role} driver '{kind}' is available{suffix}") from None

    def _load(self, key: tuple[Role, str], spec: str) -> None:
        self.lazy.pop(key)
        self.origins[key] = spec
        try:
            cls = _import(spec)
        except Exception as exc:  # a broken driver must not break chaosml
            self.refused.append(RefusedDriver(spec, f"cannot import: {type(exc).__name__}: {exc}"))
            return
        if (getattr(cls, "role", None), getattr(cls, "kind", None)) != key:
            self.refused.append(
                RefusedDriver(spec, f"declared as {key[0]} '{key[1]}', the class differs")
            )
            return
        self.register(cls, spec)

    def load_all(self) -> None:
        """Import every declared driver (``chaosml drivers``, catalogue tests)."""
        for key, spec in list(self.lazy.items()):
            self._load(key, spec)

    def get(self, role: Role, kind: str) -> Driver[Any]:
        """The driver instance of this registry (drivers are never shared between registries)."""
        cls = self.driver_class(role, kind)
        if cls not in self.instances:
            self.instances[cls] = self.instantiate(cls)
        return self.instances[cls]

    def instantiate(self, cls: type[Driver[Any]]) -> Driver[Any]:
        return cls()

    def for_run(self) -> Registry:
        """The same drivers with instances of their own: a run shares none with another run."""
        return replace(self, instances={})

    def fault(self, kind: str) -> FaultDriver[Any]:
        driver = self.get("fault", kind)
        assert isinstance(driver, FaultDriver)
        return driver

    def probe(self, kind: str) -> ProbeDriver[Any]:
        driver = self.get("probe", kind)
        assert isinstance(driver, ProbeDriver)
        return driver

    def target(self, kind: str) -> TargetDriver[Any]:
        driver = self.get("target", kind)
        assert isinstance(driver, TargetDriver)
        return driver


def verify_driver(cls: object) -> list[str]:
    """What is wrong with a driver class's contract (empty when it is fine)."""
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        return ["not a subclass of chaosml.drivers.base.Driver"]
    problems: list[str] = []
    role = getattr(cls, "role", None)
    base = _ROLE_BASES.get(str(role))
    if base is None or not issubclass(cls, base):
        problems.append(f"role {role!r} is not one of fault, action, probe, target")
    kind = getattr(cls, "kind", None)
    if not isinstance(kind, str) or not _KIND.match(kind):
        problems.append(f"kind {kind!r} is not a dotted lower-case name like 'docker.kill'")
    params = getattr(cls, "params_model", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        problems.append(
            "params_model is not a pydantic model (subclass chaosml.contract.params.Params)"
        )
    elif not issubclass(params, Params) and params.model_config.get("extra") != "forbid":
        problems.append("params_model must forbid unknown keys (subclass Params)")
    else:
        problems.extend(_params_match_generic(cls, params))
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        problems.append(f"does not implement {missing}")
    return problems


def _params_match_generic(cls: type, params: type) -> list[str]:
    """Drivers' methods are typed by their generic parameter; the engine passes them what
    ``params_model`` validated, so the two must agree."""
    declared = declared_params(cls)
    if declared is None or issubclass(params, declared):
        return []
    return [f"params_model {params.__name__} is not the {declared.__name__} its base declares"]


def load_builtins(registry: Registry) -> None:
    for role, kind, spec in BUILTIN_DRIVERS:
        registry.declare(role, kind, spec)  # type: ignore[arg-type]


def _import(spec: str) -> object:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def load_plugins(registry: Registry) -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"{ep.name} ({ep.value})"
        try:
            cls = ep.load()
        except Exception as exc:
            registry.refused.append(
                RefusedDriver(origin, f"cannot import: {type(exc).__name__}: {exc}")
            )
            continue
        registry.register(cls, origin)


def build_registry(autoload: bool | None = None) -> Registry:
    registry = Registry()
    load_builtins(registry)
    if autoload is None:
        autoload = os.environ.get(DISABLE_AUTOLOAD_ENV, "") not in {"1", "true", "yes"}
    if autoload:
        load_plugins(registry)
    return registry


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of this process (built once)."""
    return build_registry()
