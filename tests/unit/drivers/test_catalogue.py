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


@pytest.mark.parametrize("kind", KINDS)
def test_driver_has_a_test(kind: str) -> None:
    pattern = re.compile(rf"(fault|action|kind|probe)?[\"': ]*{re.escape(kind)}\b")
    sources = [
        p
        for p in (ROOT / "tests").rglob("*")
        if p.suffix in {".py", ".yaml", ".yml"} and p.is_file()
    ]
    used = [
        p
        for p in sources
        if p.name != "test_catalogue.py" and pattern.search(p.read_text(errors="replace"))
    ]
    assert used, f"no test mentions driver '{kind}'"
