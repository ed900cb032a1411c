from tests.fixtures.catalogue_env import *  # noqa: F403
from tests.fixtures.docker_env import docker_engine  # noqa: F401
