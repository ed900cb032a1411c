"""Every built-in driver has its doc page (with a runnable experiment beside it) and a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaosml.drivers.builtins import BUILTIN_DRIVERS
from chaosml.drivers.registry import build_registry

ROOT = Path(__file__).parents[3]
DOCS = ROOT / "docs" / "drivers"
REGISTRY = build_registry(autoload=False)
REGISTRY.load_all()
KINDS = sorted({kind for (_, kind) in REGISTRY.drivers})


def test_every_builtin_registers() -> None:
    assert not REGISTRY.refused, REGISTRY.refused
    assert len(REGISTRY.drivers) == len(BUILTIN_DRIVERS)


@pytest.mark.parametrize("kind", KINDS)
def test_driver_has_a_doc_page_with_an_experiment(kind: str) -> None:
    pages = [p for p in DOCS.glob("*.md") if f"`{kind}`" in p.read_text()]
    assert pages, f"no docs/drivers/*.md mentions `{kind}`"
    linked = [m for p in pages for m in re.findall(r"\]\(([\w.-]+\.ya?ml)\)", p.read_text())]
    assert linked and all((DOCS / name).exists() for name in linked), (
        f"{kind}: no runnable experiment beside its page"
    )


TEST_MODULES = sorted(
    p for p in (ROOT / "tests").rglob("test_*.py") if p.name != Path(__file__).name
)


def uses_driver(source: str, role: str, kind: str, cls: type) -> bool:
    """``source`` (a test module) exercises driver ``kind``: it names the driver's class, puts
    the kind where an experiment names a driver (``fault: proxy.reset``, a probe's or target's
    ``http: {...}``), or (dotted kinds only) quotes it whole, e.g. in a parametrize list."""
    k = re.escape(kind)
    if re.search(rf"\b{cls.__name__}\b", source):
        return True
    if role in ("fault", "action"):
        position = rf"""\b{role}["']?\s*[:=]\s*["']?{k}(?![\w.])"""
    else:  # a mapping key with a mapping (YAML or Python) after it, not a URL or a word
        position = rf"""(?<![\w.\-/]){k}["']?\s*[:=]\s*(?:[{{(]|\n\s+["']?\w+["']?\s*:)"""
    if re.search(position, source):
        return True
    return "." in kind and re.search(rf"""["']{k}["']""", source) is not None


@pytest.mark.parametrize(("role", "kind"), sorted(REGISTRY.drivers))
def test_driver_has_a_test_module(role: str, kind: str) -> None:
    cls = REGISTRY.drivers[(role, kind)]  # type: ignore[index]
    modules = [
        p for p in TEST_MODULES if uses_driver(p.read_text(errors="replace"), role, kind, cls)
    ]
    assert modules, f"no tests/**/test_*.py module exercises the {role} driver {kind!r}"


@pytest.mark.parametrize(
    "source",
    [
        'url = "http://127.0.0.1:1/"',  # the old check counted any URL as a test of `http`
        "the http server answers",
        "observe:\n  metrics:\n    - {name: p99}",
        '"proxy.timeout_total"',
    ],
)
def test_a_mere_mention_is_not_a_test(source: str) -> None:
    assert not uses_driver(source, "probe", "http", type(None))
    assert not uses_driver(source, "probe", "metrics", type(None))
    assert not uses_driver(source, "fault", "proxy.timeout", type(None))


@pytest.mark.parametrize(
    ("source", "role", "kind"),
    [
        ("  - fault: proxy.reset\n", "fault", "proxy.reset"),
        ('{"action": "docker.start"}', "action", "docker.start"),
        ("    http: {url: x}", "probe", "http"),
        ("      docker:\n        labels: {app: a}", "target", "docker"),
        ('("proxy.bandwidth", {"rate": 50})', "fault", "proxy.bandwidth"),
    ],
)
def test_a_driver_in_use_is_a_test(source: str, role: str, kind: str) -> None:
    assert uses_driver(source, role, kind, type(None))
