"""Expectations on a probe's sample, and their pure evaluation."""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosml import redaction
from chaosml.contract.sample import Sample


class ValueCheck(BaseModel):
    """Comparisons that apply to one value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equals: Any = None
    below: float | None = None
    above: float | None = None
    between: tuple[float, float] | None = None
    regex: str | None = None
    contains: str | None = None

    @model_validator(mode="after")
    def _check_between(self) -> ValueCheck:
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError("between: the lower bound is above the upper bound")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"regex: not a valid regular expression: {exc}") from None
        return self


class JsonCheck(ValueCheck):
    path: str = Field(pattern=r"^\$")


class Expect(ValueCheck):
    """What a probe's sample must show. Every given check must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    status: int | list[int] | None = None
    exit_code: int | None = None
    json_check: JsonCheck | None = Field(default=None, alias="json")
    within_percent_of_baseline: float | None = Field(default=None, ge=0)

    def is_empty(self) -> bool:
        return not self.model_dump(exclude_none=True, by_alias=True)


def evaluate(expect: Expect | None, sample: Sample, baseline: Any = None) -> str | None:
    """None when ``sample`` meets ``expect``; otherwise the reason it does not."""
    if expect is None or expect.is_empty():
        return _default_check(sample)
    checks = (_check_status, _check_exit_code, _check_json, _check_value, _check_baseline)
    for check in checks:
        reason = check(expect, sample, baseline)
        if reason:
            return reason
    return None


def _default_check(sample: Sample) -> str | None:
    if sample.status is not None and sample.status >= 400:
        return f"status {sample.status} (no expectation given: expected < 400)"
    if sample.exit_code not in (None, 0):
        return f"exit code {sample.exit_code} (no expectation given: expected 0)"
    return None


def _check_status(expect: Expect, sample: Sample, _: Any) -> str | None:
    if expect.status is None:
        return None
    wanted = expect.status if isinstance(expect.status, list) else [expect.status]
    if sample.status in wanted:
        return None
    return f"status {sample.status}, expected {' or '.join(map(str, wanted))}"


def _check_exit_code(expect: Expect, sample: Sample, _: Any) -> str | None:
    if expect.exit_code is None or sample.exit_code == expect.exit_code:
        return None
    return f"exit code {sample.exit_code}, expected {expect.exit_code}"


def _check_json(expect: Expect, sample: Sample, _: Any) -> str | None:
    check = expect.json_check
    if check is None:
        return None
    document = sample.json if sample.json is not None else sample.value
    found, value = json_path(document, check.path)
    if not found:
        return f"{check.path} not found in the response"
    reason = check_value(check, value)
    return f"{check.path}: {reason}" if reason else None


def _check_value(expect: Expect, sample: Sample, _: Any) -> str | None:
    # a parsed JSON body is matched by regex/contains as the body's own text, not its repr
    raw = sample.text if sample.json is not None and sample.value is sample.json else None
    return check_value(expect, sample.value, raw)


def _check_baseline(expect: Expect, sample: Sample, baseline: Any) -> str | None:
    pct = expect.within_percent_of_baseline
    if pct is None:
        return None
    if not _is_number(baseline):
        return "no numeric baseline from the steady state before the method"
    if not _is_number(sample.value):
        return f"value {sample.value!r} is not a number"
    limit = abs(float(baseline)) * pct / 100
    if abs(float(sample.value) - float(baseline)) <= limit:
        return None
    return f"{_fmt(sample.value)} is not within {pct:g}% of the baseline {_fmt(baseline)}"


def check_value(check: ValueCheck, value: Any, text: str | None = None) -> str | None:
    """None when ``value`` passes every comparison of ``check``; else why not. ``text``, when
    given, is what ``regex``/``contains`` read instead of ``value`` (a body's raw text)."""
    if check.equals is not None and value != check.equals:
        return f"{value!r} does not equal {check.equals!r}"
    numeric = [c for c in ("below", "above", "between") if getattr(check, c) is not None]
    if numeric and not _is_number(value):
        return f"{value!r} is not a number"
    if check.below is not None and not float(value) < check.below:
        return f"{_fmt(value)} is not below {check.below:g}"
    if check.above is not None and not float(value) > check.above:
        return f"{_fmt(value)} is not above {check.above:g}"
    if check.between is not None and not check.between[0] <= float(value) <= check.between[1]:
        return f"{_fmt(value)} is not between {check.between[0]:g} and {check.between[1]:g}"
    return _check_text(check, value if text is None else text)


def _check_text(check: ValueCheck, value: Any) -> str | None:
    text = value if isinstance(value, str) else str(value)
    if check.regex is not None and not re.search(check.regex, text):
        return f"{_clip(text)!r} does not match /{check.regex}/"
    if check.contains is not None and check.contains not in text:
        return f"{_clip(text)!r} does not contain {check.contains!r}"
    return None


def json_path(document: Any, path: str) -> tuple[bool, Any]:
    """A small JSONPath subset: ``$.a.b``, ``$.items[0].x``, ``$['key']``."""
    current = document
    for part in _path_parts(path):
        if (
            isinstance(part, int)
            and isinstance(current, list)
            and -len(current) <= part < len(current)
        ):
            current = current[part]
            continue
        if isinstance(part, str) and isinstance(current, dict) and part in current:
            current = current[part]
            continue
        return False, None
    return True, current


_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index, quoted, dquoted in _PART.findall(path[1:]):
        if index:
            parts.append(int(index))
        else:
            parts.append(name or quoted or dquoted)
    return parts


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return not math.isnan(value)
    return False


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _clip(text: str) -> str:
    return redaction.clip(text, 80)
