"""Checks of the run's monitoring sources before the method (issue 24, docs/monitoring-sources.md).

- ``insecure_sources``: a ``source.warning`` event for every source whose TLS certificate is not
  verified (``tls.insecure_skip_verify: true``); the console and every report show it.
- ``guard_sources``: every guard reading a monitoring source (a connection block: prometheus,
  metrics) is read once before the method. A source that refuses the
  credentials or fails the TLS check ends the run 5 before any fault — read during the method, a
  guard's error would abort it as a breach (exit 4, guards fail closed).
"""

from __future__ import annotations

from chaosml.contract.connection import connections_in, insecure_warning
from chaosml.engine.probing import read_sample
from chaosml.engine.state import RunState
from chaosml.errors import ChaosMLError
from chaosml.io.monitoring_http import SourceRefused
from chaosml.journal.events import SourceWarning


def insecure_sources(state: RunState) -> None:
    """Journal one warning per source (base URL) that skips certificate verification."""
    seen: set[str] = set()
    for conn in connections_in(state.experiment):
        if conn.insecure and conn.base_url not in seen:
            seen.add(conn.base_url)
            warning = insecure_warning("the monitoring source", conn)
            state.journal.write(SourceWarning(url=conn.base_url, warning=warning))


async def guard_sources(state: RunState) -> None:
    """Read each guard once; SourceRefused (exit 5) goes up, any other error is the guard's
    own business once the method runs."""
    for guard in state.experiment.guards:
        if not connections_in(guard.params):
            continue
        try:
            await read_sample(guard, state)
        except SourceRefused:
            raise
        except ChaosMLError:
            continue
