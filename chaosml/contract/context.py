"""What the engine gives a driver call: the run, its targets, its cancellation and deadline."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field, replace

from chaosml.cancellation import CancelToken
from chaosml.contract.targets import ResolvedTarget
from chaosml.errors import DriverError

RUN_ID_LABEL = "chaosml.run_id"
STATE_DIR_ENV = "CHAOSML_STATE_DIR"  # snapshots of a driver used outside a run (no state_dir)


@dataclass
class DriverContext:
    """What the engine gives a driver call."""

    run_id: str
    targets: dict[str, ResolvedTarget] = field(default_factory=dict)
    allow_python: bool = False
    seed: int = 0
    experiment_title: str = ""
    state_dir: str = ""  # a directory drivers may keep run files in (snapshots)
    fault_id: str = ""  # the same for plan() and apply() of one step: name what you create by it
    proxies: dict[str, str] = field(default_factory=dict)  # ephemeral proxy name -> its API URL
    cancel: CancelToken = field(default_factory=CancelToken)  # the run's: set when it is aborted
    deadline: float | None = None  # time.monotonic() by which this call must return
    faults_end_by: float | None = None  # wall time the run's faults are undone by at worst

    def snapshot_path(self, kind: str, name: str) -> str:
        """Where a fault keeps its snapshot of what it changed: ``<state>/<kind>/<run>-<fault>-
        <name>``. ``<state>`` is the run's state directory (the engine's, beside the journal);
        for a driver called outside a run, ``$CHAOSML_STATE_DIR``, else ``<tmp>/chaosml-state``."""
        fallback = os.environ.get(STATE_DIR_ENV) or os.path.join(
            tempfile.gettempdir(), "chaosml-state"
        )
        base = self.state_dir or fallback
        file = f"{self.run_id}-{self.fault_id or 'x'}-{name}"
        return os.path.realpath(os.path.join(base, kind, file))

    def until(self, timeout: float) -> DriverContext:
        """This context for one call that must return within ``timeout`` seconds."""
        return replace(self, deadline=time.monotonic() + timeout)

    def remaining(self, default: float) -> float:
        """Seconds left of this call's deadline (``default`` at most): pass it to the SDK's
        timeout so a call gives up by itself instead of outliving its step."""
        if self.deadline is None:
            return default
        return max(0.1, min(default, self.deadline - time.monotonic()))

    def target(self, name: str) -> ResolvedTarget:
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "none"
            raise DriverError(f"unknown target '{name}' (declared targets: {known})") from None

    @property
    def run_labels(self) -> dict[str, str]:
        return {RUN_ID_LABEL: self.run_id}
