"""The layers' boundaries (docs/architecture.md): the import-linter contracts hold, and what a
layer may not import is not loaded when it is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(module: str, prefix: str = "chaosml") -> list[str]:
    """The modules (named ``prefix``…) a fresh interpreter has loaded after importing ``module``."""
    code = (
        f"import sys, json, {module}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefix!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return list(json.loads(done.stdout))


def _under(modules: list[str], *packages: str) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def test_lint_imports_keeps_every_contract_of_pyproject() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
    assert "engine: drivers only through base and registry KEPT" in done.stdout


def test_the_model_and_its_schema_load_no_driver_engine_or_sdk() -> None:
    loaded = _loaded_after("chaosml.model.experiment, chaosml.model.schema, chaosml.model.loaded")
    assert _under(loaded, "chaosml.drivers", "chaosml.engine", "chaosml.io", "chaosml.loader") == []
    assert "chaosml.contract.params" in loaded


def test_the_engine_loads_no_loader_proxy_server_renderer_or_demo() -> None:
    """(The watchdog it arms loads the proxy driver for its toxic leases: drivers only through
    base and registry is a rule on the engine's own imports, checked by lint-imports.)"""
    loaded = _loaded_after("chaosml.engine.api")
    forbidden = (
        "chaosml.loader",
        "chaosml.proxy.server",
        "chaosml.proxy.ephemeral",
        "chaosml.reporting.html",
        "chaosml.reporting.markdown",
        "chaosml.demo",
        "chaosml.cli",
    )
    assert _under(loaded, *forbidden) == []


def test_commands_load_no_http_client_retries_or_sdk_until_they_use_one() -> None:
    """Start-up CPU (benchmarks/bench_cli_startup.py): requests and tenacity load with the first
    request or undo, an SDK with its driver; ``--help`` loads no YAML, pydantic or asyncio."""
    commands = ("run_cmd", "validate_cmd", "halt_cmd", "rollback_cmd", "history_cmd")
    loaded = _loaded_after(", ".join(f"chaosml.cli.{c}" for c in commands), prefix="")
    sdks = ("requests", "urllib3", "tenacity", "docker", "kubernetes", "psycopg", "rich")
    assert _under(loaded, *sdks) == []
    help_only = _loaded_after("chaosml.cli.app", prefix="")
    assert _under(help_only, "yaml", "pydantic", "asyncio", "chaosml.engine.state") == []


def test_the_proxy_server_loads_no_pydantic_until_a_feed_corrupt_toxic() -> None:
    loaded = _loaded_after("chaosml.proxy.runner", prefix="")
    assert _under(loaded, "pydantic", "yaml", "chaosml.feed") == []
