"""A test that needs a real service skips locally but fails under CI (CI=true): .ci/run must
provide every service, so a missing one is a failure there, never a silent skip."""

from __future__ import annotations

import pytest

from tests.fixtures.services import require


def test_missing_service_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Prometheus is not available"):
        require(False, "Prometheus")


def test_missing_service_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Prometheus is not available"):
        require(False, "Prometheus")


def test_available_service_neither_skips_nor_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require(True, "Prometheus")
