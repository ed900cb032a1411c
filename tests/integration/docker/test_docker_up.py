"""scripts/ci/docker-up.sh: starts a daemon that is not running, builds the base image, and
does nothing the second time. Exercised on a private daemon of the test's own."""

from __future__ import annotations

import pytest

from tests.fixtures.docker_env import BASE_IMAGE, PrivateDockerd, docker, docker_answers

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_docker_up_starts_a_stopped_daemon_and_is_idempotent(
    private_dockerd: PrivateDockerd,
) -> None:
    private_dockerd.stop()
    assert not docker_answers(private_dockerd.env)

    first = private_dockerd.start()
    assert "starting dockerd" in first and "ready: engine" in first
    assert docker_answers(private_dockerd.env)
    assert docker("images", "-q", BASE_IMAGE, env=private_dockerd.env)

    second = private_dockerd.start()
    assert "daemon already answering" in second and f"image {BASE_IMAGE} present" in second
    assert "starting dockerd" not in second
