from tests.fixtures.reporting_env import *  # noqa: F403
