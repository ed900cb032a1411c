from tests.fixtures.docker_env import *  # noqa: F403
