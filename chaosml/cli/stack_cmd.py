"""``chaosml stack up`` / ``stack down``: the example stack for your own experiments.

``up`` prints the variables as ``export`` lines on stdout (``eval "$(chaosml stack up)"``) and
everything else on stderr; the same lines are in ``DIR/stack.env``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.exit_codes import ExitCode
from chaosml.stack.lifecycle import stack_down, stack_up
from chaosml.stack.state import ENV_FILE, render_env


def up(state_dir: Path, debug: bool) -> int:
    try:
        return guarded(lambda: _up(state_dir), debug)
    except KeyboardInterrupt:
        _say("interrupted: everything stack up had started was stopped")
        return int(ExitCode.INTERRUPTED)


def _up(state_dir: Path) -> int:
    _say("starting the example ML stack (detached) …")
    state = stack_up(state_dir)
    for note in state.notes:
        _say(f"note: {note}")
    for line in state.describe:
        _say(f"  {line}")
    env_file = state_dir / ENV_FILE
    _say(f"variables written to {env_file}: load them with  . {env_file}")
    _say(
        "run experiments against it, e.g.  chaosml run experiments/ml-stack/feed-nan.yaml --env dev"
    )
    _say("stop it with  chaosml stack down")
    print(render_env(state.variables), end="", flush=True)
    return 0


def down(state_dir: Path, debug: bool) -> int:
    return guarded(lambda: _down(state_dir), debug)


def _down(state_dir: Path) -> int:
    _say(stack_down(state_dir))
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
