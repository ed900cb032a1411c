from tests.fixtures.docker_env import containers, docker_engine  # noqa: F401
from tests.fixtures.proxy_env import echo_server  # noqa: F401
from tests.integration.watchdog.kill_env import proxy_api, runners  # noqa: F401
