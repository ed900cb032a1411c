from tests.fixtures.k8s_env import *  # noqa: F403
