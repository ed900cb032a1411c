"""Chaos Toolkit tolerances → chaosml ``expect:`` (and, where needed, a probe ``measure``).

Chaos Toolkit compares a tolerance with what the provider returned: an HTTP provider returns
``{status, headers, body}``, a process provider ``{status, stdout, stderr}``, a Python provider
the function's return value. chaoslib's rules (``chaoslib/hypothesis.py``, 1.44):

- ``int``: the ``status`` of an HTTP/process result, else equality;
- ``list``: ``status`` in the list for an HTTP/process result; otherwise a *two-element* list
  is an inclusive range (``a <= value <= b``) and any other list means "one of these values";
- ``bool``/``str``: equality with the whole result;
- ``{type: range|regex|jsonpath, target: ...}``: on the result, or on its ``target`` key;
- ``{type: probe, ...}``: a Python function decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chaosml.ctk.report import Outcome

JSONPATH_SUBSET = re.compile(r"^\$((\.[A-Za-z_][\w-]*)|(\[\d+\])|(\['[^']+'\]))*$")


@dataclass
class ExpectResult:
    expect: dict[str, Any] = field(default_factory=dict)
    measure: str | None = None  # an http probe's measure: status
    outcome: Outcome = "native"
    text: str = ""


def convert(tolerance: Any, provider_type: str) -> ExpectResult:
    """The chaosml expectation for ``tolerance`` on a ``provider_type`` probe."""
    if isinstance(tolerance, bool):
        return _equality(tolerance, provider_type)
    if isinstance(tolerance, int | float):
        return _number(tolerance, provider_type)
    if isinstance(tolerance, str):
        return _equality(tolerance, provider_type)
    if isinstance(tolerance, list):
        return _list(tolerance, provider_type)
    if isinstance(tolerance, dict):
        return _typed(tolerance, provider_type)
    return _dropped(f"a tolerance of type {type(tolerance).__name__} is not one Chaos Toolkit has")


def _dropped(text: str) -> ExpectResult:
    return ExpectResult(outcome="dropped", text=text)


def _equality(value: Any, provider_type: str) -> ExpectResult:
    if provider_type in ("http", "process"):
        return _dropped(
            f"{value!r} compared with a whole {provider_type} result never holds in Chaos "
            "Toolkit; give the status or a regex instead"
        )
    return ExpectResult({"equals": value}, text=f"equals {value!r}")


def _number(value: float, provider_type: str) -> ExpectResult:
    if provider_type == "http":
        return ExpectResult({"status": value}, text=f"HTTP status {value}")
    if provider_type == "process":
        return ExpectResult({"exit_code": value}, text=f"exit code {value}")
    return ExpectResult({"equals": value}, text=f"equals {value}")


def _list(values: list[Any], provider_type: str) -> ExpectResult:
    if provider_type == "http" and values and all(_is_int(v) for v in values):
        return ExpectResult({"status": values}, text=f"HTTP status one of {values}")
    if provider_type == "process":
        if len(values) == 1 and _is_int(values[0]):
            return ExpectResult({"exit_code": values[0]}, text=f"exit code {values[0]}")
        return _dropped(f"exit code one of {values}: chaosml checks one exit code")
    if len(values) == 2 and all(_is_number(v) for v in values):
        low, high = sorted(float(v) for v in values)
        return ExpectResult(
            {"between": [low, high]},
            text=f"between {low:g} and {high:g} (chaoslib reads a two-element list as a range)",
        )
    if not values or not all(isinstance(v, str | int | float) for v in values):
        return _dropped(f"one of {values!r}: only strings and numbers can be matched")
    pattern = "^(" + "|".join(re.escape(str(v)) for v in values) + ")$"
    return ExpectResult({"regex": pattern}, text=f"one of {values} (as a regex on the value)")


def _typed(tolerance: dict[str, Any], provider_type: str) -> ExpectResult:
    kind = tolerance.get("type")
    if kind == "range":
        return _range(tolerance, provider_type)
    if kind == "regex":
        return _regex(tolerance, provider_type)
    if kind == "jsonpath":
        return _jsonpath(tolerance, provider_type)
    if kind == "probe":
        return _dropped(
            "a probe tolerance (a Python function judging the value) has no declarative "
            "equivalent: write the check as a python probe"
        )
    return _dropped(f"unknown tolerance type {kind!r}")


def _target(tolerance: dict[str, Any], provider_type: str) -> tuple[str | None, str | None]:
    """(measure, problem): which part of the result the tolerance reads."""
    target = tolerance.get("target")
    if target is None or provider_type not in ("http", "process"):
        return None, None
    if not isinstance(target, str):
        return None, f"target {target!r} is not a key name"
    if provider_type == "http":
        return {"status": ("status", None), "body": (None, None)}.get(
            target, (None, f"target {target!r}: chaosml reads an HTTP body or status")
        )
    if target == "stdout":
        return None, None
    return None, f"target {target!r}: chaosml reads a command's stdout (and its exit code)"


def _range(tolerance: dict[str, Any], provider_type: str) -> ExpectResult:
    bounds = tolerance.get("range")
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(map(_is_number, bounds))):
        return _dropped(f"range {bounds!r} is not two numbers")
    measure, problem = _target(tolerance, provider_type)
    if problem:
        return _dropped(problem)
    low, high = float(bounds[0]), float(bounds[1])
    if low > high:
        return _dropped(f"range {bounds!r}: the lower bound is above the upper one (never holds)")
    return ExpectResult({"between": [low, high]}, measure, text=f"between {low:g} and {high:g}")


def _regex(tolerance: dict[str, Any], provider_type: str) -> ExpectResult:
    pattern = tolerance.get("pattern")
    if not isinstance(pattern, str):
        return _dropped("a regex tolerance without a pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        return _dropped(f"regex {pattern!r} does not compile: {exc}")
    measure, problem = _target(tolerance, provider_type)
    if problem:
        return _dropped(problem)
    return ExpectResult({"regex": pattern}, measure, text=f"matches /{pattern}/")


PROMETHEUS_VALUE = ("$.data.result[0].value[1]", "$.data.result[0].value.[1]")


def _prometheus_jsonpath(tolerance: dict[str, Any]) -> ExpectResult:
    """chaosprometheus returns Prometheus' whole answer; chaosml's probe reads its number."""
    if tolerance.get("path") not in PROMETHEUS_VALUE:
        return _dropped(
            f"JSONPath {tolerance.get('path')!r} into Prometheus' raw answer: "
            "chaosml's prometheus probe reads the query's number"
        )
    if "expect" not in tolerance:
        return ExpectResult({}, text="the query has a value")
    expected = tolerance["expect"]
    expected = expected[0] if isinstance(expected, list) and len(expected) == 1 else expected
    try:
        return ExpectResult({"equals": float(expected)}, text=f"the query's value is {expected}")
    except (TypeError, ValueError):
        return _dropped(f"a Prometheus value compared with {expected!r} (not a number)")


def _jsonpath(tolerance: dict[str, Any], provider_type: str) -> ExpectResult:
    if provider_type == "prometheus":
        return _prometheus_jsonpath(tolerance)
    path = tolerance.get("path")
    if not isinstance(path, str) or not JSONPATH_SUBSET.match(path):
        return _dropped(f"JSONPath {path!r} is beyond chaosml's subset ($.a.b, $.a[0], $['k'])")
    if "count" in tolerance:
        return _dropped("a JSONPath match count has no chaosml equivalent")
    measure, problem = _target(tolerance, provider_type)
    if problem or measure == "status":
        return _dropped(problem or "a JSONPath on an HTTP status")
    check: dict[str, Any] = {"path": path}
    if "expect" in tolerance:
        expected = tolerance["expect"]
        if isinstance(expected, list):
            if len(expected) != 1:
                return _dropped(f"{path} must match {len(expected)} values: chaosml reads one")
            expected = expected[0]
        check["equals"] = expected
    shown = f"{path} equals {check['equals']!r}" if "equals" in check else f"{path} exists"
    return ExpectResult({"json": check}, text=shown)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
