"""The `chaosml sensitivity` searches of the live tests: run one, read its result, its trials
and the proxy's toxics (test_search_live.py, test_search_live_nan.py)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from chaosml.demo.environment import DrillEnvironment
from tests.fixtures.catalogue_env import REPO_ROOT, cli_env, read_events, run_cli

LATENCY = REPO_ROOT / "experiments" / "sensitivity" / "high-p99-latency.yaml"
NAN = REPO_ROOT / "experiments" / "sensitivity" / "nan-features-percent.yaml"


def search(env: DrillEnvironment, tmp: Path, experiment: Path, *var: str) -> tuple[int, str, Path]:
    directory = tmp / "search"
    args = [
        "sensitivity",
        str(experiment),
        "--env",
        "dev",
        "--quiet",
        "--search-dir",
        str(directory),
    ]
    args += [a for v in var for a in ("--var", v)]
    code, output = run_cli(args, cli_env(env.variables(), tmp), timeout=240)
    return code, output, directory


def result_of(directory: Path) -> dict[str, Any]:
    events = read_events(directory / "search.jsonl")
    [result] = [e for e in events if e["event"] == "sensitivity.result"]
    return result


def toxics(env: DrillEnvironment) -> list[Any]:
    url = f"{env.variables()['CHAOSML_PROXY_API']}/proxies/features/toxics"
    with urllib.request.urlopen(url, timeout=5) as resp:
        return list(json.loads(resp.read()))


def assert_trials_were_complete_runs(directory: Path, count: int) -> None:
    journals = sorted(directory.glob("trial-*.jsonl"))
    assert len(journals) == count
    for journal in journals:
        events = read_events(journal)
        phases = [e["name"] for e in events if e["event"] == "phase"]
        assert phases == ["blast-radius", "steady-state-before", "method", "rollback", "recovery"]
        assert [e["ok"] for e in events if e["event"] == "fault.reverted"] == [True]
        assert events[-1]["event"] == "run.end" and events[-1]["exit_code"] in (0, 1)
