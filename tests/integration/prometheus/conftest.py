from tests.fixtures.faketime import faketime_library  # noqa: F401
from tests.fixtures.prom_env import *  # noqa: F403
