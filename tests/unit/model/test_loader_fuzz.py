"""Loader fuzz test (issue 11): alias-heavy, deep and numeric-edge documents, each answered —
a model or a located ValidationError (exit 0 or 2), never anything else — within 2 s of CPU and
200 MB of memory, measured in a loader process of its own (tests/fixtures/loader_worker.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parents[3]
BROKEN = ROOT / "tests" / "data" / "broken"
CPU_SECONDS = 2.0
PEAK_BYTES = 200 * 1024 * 1024
ANSWER_TIMEOUT = 60.0  # a hung loader fails the test instead of blocking it


class Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.loader_worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def load(self, request: dict[str, str]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = _readline(self.proc, ANSWER_TIMEOUT)
        assert line, f"the loader process died on:\n{str(request)[:500]}"
        return dict(json.loads(line))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            proc.kill()
            raise AssertionError(f"no answer within {timeout}s")
    return proc.stdout.readline()


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    started = Worker()
    yield started
    started.close()


def check_answered(worker: Worker, text: str = "", path: Path | None = None) -> dict[str, Any]:
    answer = worker.load({"path": str(path)} if path else {"text": text})
    shown = str(path) if path else text[:300]
    assert answer["outcome"] in {"ok", "invalid"}, answer["detail"]
    assert answer["cpu_s"] <= CPU_SECONDS, (answer, shown)
    assert answer["peak_bytes"] <= PEAK_BYTES, (answer, shown)
    return answer


# -- alias-heavy: n levels, each referring to the one below w times ---------------------------
LEAVES = ['"lol"', "1", "{k: v}", "[1, 2]", ".inf", "*l0"]
PLACES = {
    "wait": "method:\n  - wait: {top}\n",
    "vars": "vars:\n  v: {top}\nmethod:\n  - wait: ${{v}}\n  - probe: {{name: p, http: {{url: 'x${{v}}'}}}}\n",
    "json": "steady_state:\n  - name: p\n    http: {{url: 'http://127.0.0.1:9', json: {top}}}\nmethod:\n  - wait: 0s\n",
    "section": "observe: {top}\nmethod:\n  - wait: 0s\n",
    "key": "method:\n  - wait: 0s\n? {top}\n: 1\n",
}


def _level(style: str, index: int, width: int) -> str:
    below = f"*l{index - 1}"
    if style == "list":
        return "[" + ", ".join([below] * width) + "]"
    if style == "map":
        return "{" + ", ".join(f"k{j}: {below}" for j in range(width)) + "}"
    return "{<<: [" + ", ".join([below] * width) + f"], m{index}: 1}}"


@st.composite
def alias_heavy(draw: st.DrawFn) -> str:
    levels, width = draw(st.integers(1, 14)), draw(st.integers(1, 16))
    style = draw(st.sampled_from(["list", "map", "merge"]))
    lines = [
        "version: 1",
        "title: fuzz",
        "x-anchors:",
        f"  l0: &l0 {draw(st.sampled_from(LEAVES))}",
    ]
    lines += [f"  l{i}: &l{i} {_level(style, i, width)}" for i in range(1, levels + 1)]
    place = PLACES[draw(st.sampled_from(sorted(PLACES)))]
    return "\n".join(lines) + "\n" + place.format(top=f"*l{levels}")


@st.composite
def substitution_chains(draw: st.DrawFn) -> str:
    levels, width = draw(st.integers(1, 20)), draw(st.integers(1, 16))
    lines = ["version: 1", "title: fuzz", "vars:", f"  v0: {'x' * draw(st.integers(0, 200))}"]
    lines += [f'  v{i}: "{f"${{v{i - 1}}}" * width}"' for i in range(1, levels + 1)]
    return (
        "\n".join(lines) + f"\nmethod:\n  - probe: {{name: p, http: {{url: 'x${{v{levels}}}'}}}}\n"
    )


# -- deep: flow, block and JSON nesting around and far past the limit -------------------------
@st.composite
def deep(draw: st.DrawFn) -> str:
    style = draw(st.sampled_from(["flow-list", "flow-map", "block-list", "block-map", "json"]))
    edge = st.sampled_from([1, 10, 62, 63, 64, 65, 100, 999, 1000, 1001, 5000, 10_000])
    depth = draw(st.one_of(edge, st.integers(1, 2000)))
    if style.startswith("block"):
        depth = min(depth, 700)  # block indentation grows as depth²: stay under the size limit
    body = _nest(style, depth)
    if style == "json":
        return json.dumps({"version": 1, "title": "fuzz", "method": [{"wait": "0s"}]})[:-1] + (
            f', "x": {body}}}'
        )
    return f"version: 1\ntitle: fuzz\nmethod:\n  - wait: 0s\nx: {body}\n"


def _nest(style: str, depth: int) -> str:
    if style in ("flow-list", "json"):
        return "[" * depth + "1" + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    bullet = "- " if style == "block-list" else "a:"
    return (
        "\n"
        + "".join("  " * (i + 1) + bullet + "\n" for i in range(depth))
        + "  " * (depth + 1)
        + "1"
    )


# -- numeric edges in every numeric field ------------------------------------------------------
NUMBERS = st.one_of(
    st.sampled_from(
        [
            ".inf",
            "-.inf",
            ".nan",
            "1e309",
            "-1e309",
            "1e-400",
            "-0",
            "0x7fffffffffffffffff",
            "0o777777777777777777777",
            "1_000_000",
            "4.9e-324",
            "1.7976931348623157e308",
            "true",
            "9" * 310 + "s",
            "1e308s",
            "-1s",
            "0ms",
            "99999999999999999999h",
            "1.5.5s",
            "[]",
            "{}",
        ]
    ),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 6000).map(lambda n: "-" + "1" * n),
    st.integers(1, 400).map(lambda n: "9" * n + ".5s"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
FIELDS = [
    "method:\n  - wait: {n}\n",
    "method:\n  - fault: process.run\n    command: [true]\n    timeout: {n}\n    duration: {n}\n",
    "blast_radius:\n  max_duration: {n}\n  targets:\n    t: {{docker: {{name: x}}, count: {n}, max_percent: {n}, min_matches: {n}}}\nmethod:\n  - wait: 0s\n",
    "steady_state:\n  - {{name: p, http: {{url: x, timeout: {n}}}, expect: {{below: {n}, between: [{n}, {n}]}}, weight: {n}}}\nmethod:\n  - wait: 0s\n",
    "guards:\n  - {{name: g, every: {n}, http: {{url: x}}}}\nmethod:\n  - wait: 0s\n",
    "observe: {{every: {n}}}\nrecovery: {{within: {n}, every: {n}}}\nmethod:\n  - wait: 0s\n",
    "method:\n  - expect_alert: {{name: A, source: {{prometheus: x}}, fires_within: {n}, weight: {n}}}\n",
    "method:\n  - fault: feed.corrupt\n    file: /x.csv\n    mode: noise\n    fields: [a]\n    percent: {n}\n    seed: {n}\n    sigma: {n}\n",
    "method:\n  - fault: proxy.latency\n    proxy: {{name: p}}\n    latency: {n}\n    jitter: {n}\n    percent: {n}\n",
    "method:\n  - fault: process.kill\n    pattern: sleeper\n    count: {n}\n    max_percent: {n}\n",
]


@st.composite
def numeric_edges(draw: st.DrawFn) -> str:
    head = f"version: {draw(st.sampled_from(['1', '1.0', '01', '0x1']))}\ntitle: fuzz\n"
    return head + draw(st.sampled_from(FIELDS)).format(n=draw(NUMBERS))


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(alias_heavy())
def test_alias_heavy_documents_are_answered_in_bounds(worker: Worker, text: str) -> None:
    check_answered(worker, text)


@FUZZ
@given(substitution_chains())
def test_substitution_chains_are_answered_in_bounds(worker: Worker, text: str) -> None:
    check_answered(worker, text)


@FUZZ
@given(deep())
def test_deep_documents_are_answered_in_bounds(worker: Worker, text: str) -> None:
    check_answered(worker, text)


@FUZZ
@given(numeric_edges())
def test_numeric_edges_are_answered_in_bounds(worker: Worker, text: str) -> None:
    check_answered(worker, text)


@pytest.mark.parametrize("path", sorted(BROKEN.iterdir()), ids=lambda p: p.name)
def test_every_broken_file_is_answered_in_bounds(worker: Worker, path: Path) -> None:
    answer = check_answered(worker, path=path)
    assert answer["outcome"] == "invalid"


def test_a_document_just_under_the_size_limit_is_answered_in_bounds(worker: Worker) -> None:
    """The most values a document may have, each as costly as it gets: a full 20,000-value
    list just under 1 MB, and the 1 MB document of one long string."""
    values = ", ".join(["'" + "x" * 40 + "'"] * 19_950)
    probe = (
        f"steady_state:\n  - {{name: p, http: {{url: 'http://127.0.0.1:9', json: [{values}]}}}}\n"
    )
    answer = check_answered(worker, f"version: 1\ntitle: t\n{probe}method:\n  - wait: 0s\n")
    assert answer["outcome"] == "ok", answer["detail"]
    check_answered(worker, "version: 1\ntitle: '" + "x" * 999_000 + "'\nmethod: [{wait: 0s}]\n")
