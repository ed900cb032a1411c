"""Shared I/O helpers: the HTTP client (the one ``requests`` import), process groups,
``/proc``, free ports, clock offsets and connection-error wording. Used by drivers, the engine,
reporting, the watchdog and the demo alike; they import nothing of those (docs/architecture.md).
"""
