"""``python -m chaosml.proxy [--api HOST:PORT] [--config FILE] [--allow-remote --token T]``."""

from __future__ import annotations

import argparse
import os
import sys

from chaosml.errors import ChaosMLError
from chaosml.proxy.runner import run_forever
from chaosml.proxy.server import DEFAULT_API


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaosml.proxy", description=__doc__)
    parser.add_argument("--api", default=DEFAULT_API, help="control API address (host:port)")
    parser.add_argument("--config", help="proxies to create at start (JSON or YAML list)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback API")
    parser.add_argument("--token", default=os.environ.get("CHAOSML_PROXY_TOKEN"))
    args = parser.parse_args(argv)
    try:
        run_forever(args.api, args.config, allow_remote=args.allow_remote, token=args.token)
    except ChaosMLError as exc:
        print(f"{type(exc).__name__}: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
