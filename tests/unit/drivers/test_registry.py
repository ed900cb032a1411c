from __future__ import annotations

from typing import ClassVar

import pytest

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import UndoRecord
from chaosml.contract.sample import Sample
from chaosml.drivers.base import FaultDriver, ProbeDriver
from chaosml.drivers.registry import Registry, build_registry, declared_params, verify_driver


class GoodParams(Params):
    x: int = 1


class GoodProbe(ProbeDriver):
    kind = "good.probe"
    params_model = GoodParams

    def sample(self, params: Params, ctx: DriverContext) -> Sample:
        return Sample(value=1)


class NoUndo(FaultDriver):  # type: ignore[misc]  # abstract on purpose
    kind = "bad.fault"
    params_model = GoodParams

    def plan(self, params: Params, ctx: DriverContext) -> UndoRecord | None:
        return None

    def apply(self, params: Params, ctx: DriverContext) -> None:
        return None


class BadKind(GoodProbe):
    kind = "Bad Kind!"


class OtherParams(Params):
    y: str = ""


class MismatchedProbe(ProbeDriver[GoodParams]):
    """Typed for GoodParams, validated by OtherParams: its sample() would get the wrong model."""

    kind = "mismatched.probe"
    params_model = OtherParams

    def sample(self, params: GoodParams, ctx: DriverContext) -> Sample:
        return Sample(value=params.x)


class LooseParams(GoodProbe):
    kind = "loose"
    params_model: ClassVar[type[Params]] = dict  # type: ignore[assignment]


def test_a_good_driver_registers() -> None:
    registry = Registry()
    registry.register(GoodProbe, "tests:GoodProbe")
    assert registry.kinds("probe") == ["good.probe"] and not registry.refused


@pytest.mark.parametrize(
    ("cls", "words"),
    [
        (NoUndo, "does not implement undo"),
        (BadKind, "kind"),
        (LooseParams, "params_model"),
        (MismatchedProbe, "params_model OtherParams is not the GoodParams its base declares"),
        (object, "not a subclass"),
    ],
)
def test_a_bad_contract_is_refused_with_its_name(cls: type, words: str) -> None:
    registry = Registry()
    registry.register(cls, "plugin-x (pkg:Cls)")
    assert registry.refused and registry.refused[0].origin == "plugin-x (pkg:Cls)"
    assert words in registry.refused[0].reason
    assert verify_driver(cls)


def test_every_builtin_driver_declares_its_params_model_as_its_generic_parameter() -> None:
    registry = build_registry(autoload=False)
    registry.load_all()
    untyped = [
        kind
        for (role, kind), cls in registry.drivers.items()
        if declared_params(cls) is not cls.params_model
    ]
    assert len(registry.drivers) > 20 and untyped == []


def test_duplicate_kind_is_refused() -> None:
    registry = Registry()
    registry.register(GoodProbe, "first")
    registry.register(GoodProbe, "second")
    assert "already registered by first" in registry.refused[0].reason


def test_builtins_register_cleanly_and_autoload_can_be_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = build_registry(autoload=False)
    assert not registry.drivers, "built-ins are imported only when used"
    registry.load_all()
    assert not registry.refused, registry.refused
    assert {"http", "process", "python"} <= set(registry.kinds("probe"))
    assert {"process.run", "process.kill"} <= set(registry.kinds("fault"))
    monkeypatch.setenv("CHAOSML_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert not build_registry().refused


def test_a_run_imports_only_the_drivers_it_uses() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from chaosml.loader import load_text\n"
        "load_text('version: 1\\ntitle: t\\nmethod:\\n  - probe: {name: p, http: {url: \"http://127.0.0.1:1\"}}\\n')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('docker', 'chaosml.drivers.docker', 'chaosml.proxy'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
