from __future__ import annotations

import pytest

from chaosml.contract.targets import TargetMember
from chaosml.errors import RefusedError
from chaosml.model.experiment import TargetSpec
from chaosml.model.selection import select
from chaosml.testing import FakeTargetParams

ALLOW = {"chaosml.io/allow": "true"}


def members(n: int, labels: dict[str, str] | None = None) -> list[TargetMember]:
    return [
        TargetMember(f"id{i}", f"c{i}", dict(ALLOW if labels is None else labels)) for i in range(n)
    ]


def spec(**kw: object) -> TargetSpec:
    return TargetSpec(kind="fake", selector=FakeTargetParams(), **kw)  # type: ignore[arg-type]


def test_count_and_max_percent() -> None:
    with pytest.raises(RefusedError, match="30%, above max_percent 20"):
        select("m", spec(count=3, max_percent=20), members(10), seed=1)
    assert len(select("m", spec(count=2, max_percent=20), members(10), seed=1).members) == 2


def test_min_matches_never_takes_the_only_replica() -> None:
    with pytest.raises(RefusedError, match="min_matches is 2"):
        select("m", spec(count=1, min_matches=2), members(1), seed=1)


def test_opt_in_label_is_required_unless_waived() -> None:
    pool = members(3) + members(3, labels={})
    pool = [
        TargetMember(f"x{i}", m.name + ("" if m.labels else "-no-opt-in"), m.labels)
        for i, m in enumerate(pool)
    ]
    chosen = select("m", spec(), pool, seed=1)
    assert all(m.labels == ALLOW for m in chosen.members) and chosen.matched == 3
    assert len(select("m", spec(require_label=None), pool, seed=1).members) == 6


def test_empty_match_shows_the_selector() -> None:
    with pytest.raises(RefusedError, match="nothing matches fake"):
        select("m", spec(), members(2, labels={}), seed=1)


def test_same_seed_same_pick_other_seed_other_pick() -> None:
    pool = members(20)
    picks = {
        tuple(m.id for m in select("m", spec(count=3), pool, seed=s).members) for s in range(10)
    }
    assert len(picks) > 1
    first = select("m", spec(count=3), pool, seed=42).members
    assert select("m", spec(count=3), list(reversed(pool)), seed=42).members == first
