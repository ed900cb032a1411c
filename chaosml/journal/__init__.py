"""The journal: typed events (``events``), the one reader (``reader``), the writer (``writer``).

docs/journal.md and ``chaosml schema --journal`` are generated from the event classes
(``schema``).
"""
