"""Faults that cannot outlive their run (docs/rollback.md, "Three lines of defence").

- ``watch`` / ``__main__``: the watchdog process a run starts before its first fault; it rolls
  the run back (``takeover``) when the runner dies without writing ``run.end``.
- ``guard``: the runner's side — a journal observer that starts the watchdog, tells it when the
  run ended, and renews the leases of the run's proxy toxics (``renewer``).
- ``lease``: the lease attribute a toxic carries; the proxy removes an expired toxic itself.
- ``runs``: the host's index of runs, for ``chaosml reap`` (``reap``).

This package's ``__init__`` imports nothing: the watchdog process starts on few imports.
"""
