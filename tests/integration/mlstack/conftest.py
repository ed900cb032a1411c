from tests.fixtures.docker_env import containers, docker_engine  # noqa: F401
from tests.fixtures.mlstack_env import *  # noqa: F403
