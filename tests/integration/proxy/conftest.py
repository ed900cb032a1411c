from tests.fixtures.proxy_env import *  # noqa: F403
