from tests.fixtures.encoded_feeds import *  # noqa: F403
from tests.fixtures.proxy_env import *  # noqa: F403
