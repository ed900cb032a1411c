"""The demo's stack as local processes: ``chaosml.demo.environment`` plus what the drills'
metrics-only form reads (the traffic generator's URL, the model server's metrics via the proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaosml.demo.environment import DrillEnvironment, start_environment


@dataclass
class LocalEnvironment:
    env: DrillEnvironment

    def drill_variables(self) -> dict[str, str]:
        return {
            **self.env.variables(),
            "TRAFFIC_URL": self.env.stack.traffic_url,
            "MODEL_METRICS_ADDRESS": self.env.metrics_address,
        }

    def describe(self) -> list[str]:
        lines = [
            f"model server     {self.env.stack.model_url}",
            f"feature service  {self.env.stack.feature_url} (via the chaosml proxy)",
            f"chaosml proxy    {self.env.proxy.api_url}",
        ]
        if self.env.monitoring is not None:
            lines.append(f"prometheus       {self.env.monitoring.prometheus_url}")
            lines.append(f"alertmanager     {self.env.monitoring.alertmanager_url}")
        return lines

    def adapt_drill(self, doc: Any) -> Any:
        return doc  # the drills are written for this stack

    def stop(self) -> None:
        self.env.stop()


def start_local_environment(monitoring: bool) -> LocalEnvironment:
    return LocalEnvironment(start_environment(monitoring=monitoring))
