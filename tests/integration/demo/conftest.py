from tests.fixtures.demo_env import *  # noqa: F403
