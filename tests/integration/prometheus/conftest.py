from tests.fixtures.prom_env import *  # noqa: F403
