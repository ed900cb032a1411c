"""Choosing the members of a blast-radius target: opt-in label, limits, seeded random pick."""

from __future__ import annotations

import random

from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.errors import RefusedError
from chaosml.model.experiment import TargetSpec


def has_opt_in(member: TargetMember, require_label: str | None) -> bool:
    if require_label is None:
        return True
    key, sep, value = require_label.partition("=")
    return member.labels.get(key) == value if sep else key in member.labels


def select(
    name: str, spec: TargetSpec, candidates: list[TargetMember], seed: int
) -> ResolvedTarget:
    """The members to hit, or RefusedError saying which limit refused and showing the selector."""
    selector = f"{spec.kind}: {spec.selector.model_dump(exclude_none=True)}"
    eligible = sorted(
        (c for c in candidates if has_opt_in(c, spec.require_label)), key=lambda c: c.name
    )
    if not eligible:
        opt_in = f" carrying the opt-in label {spec.require_label}" if spec.require_label else ""
        raise RefusedError(
            f"target '{name}': nothing matches {selector}{opt_in} ({len(candidates)} without it)"
        )
    if len(eligible) < spec.min_matches:
        raise RefusedError(
            f"target '{name}': {len(eligible)} match {selector}, min_matches is {spec.min_matches} "
            "(never take out the only replica)"
        )
    count = spec.count or len(eligible)
    if count > len(eligible):
        raise RefusedError(
            f"target '{name}': count {count} but only {len(eligible)} match {selector}"
        )
    share = 100.0 * count / len(eligible)
    if spec.max_percent is not None and share > spec.max_percent:
        raise RefusedError(
            f"target '{name}': {count} of {len(eligible)} is {share:.0f}%, "
            f"above max_percent {spec.max_percent:g}"
        )
    chosen = random.Random(f"{seed}:{name}").sample(eligible, count)
    return ResolvedTarget(
        name, spec.kind, tuple(sorted(chosen, key=lambda c: c.name)), len(eligible)
    )
